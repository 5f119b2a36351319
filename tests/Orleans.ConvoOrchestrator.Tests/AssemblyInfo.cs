// Test classes run one after another: several start silos or build and run processes, and timing-bound
// tests should not compete with them for two cores. The whole suite still takes about a minute.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
