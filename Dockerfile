# The stock silo's image. Two steps, from the repository root:
#   dotnet publish silo -c Release -o artifacts/silo
#   docker build -f Dockerfile -t convo-silo artifacts/silo      (or: podman build --format docker ...)
# The build context is what `dotnet publish` produced, not the sources: the image holds exactly the bits that were
# built and tested, needs no SDK image, and builds in seconds. BASE_IMAGE must provide the ASP.NET Core 10 runtime
# (`dotnet` on PATH); the tests pass a local one built without any registry (tests/setup/podman.sh).
ARG BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
FROM ${BASE_IMAGE}

# A non-root user with a fixed id (1654, the official images' "app"), created if the base lacks it.
ARG APP_UID=1654
USER root
RUN (getent passwd ${APP_UID} >/dev/null || useradd --uid ${APP_UID} --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin convo) \
    && mkdir -p /app

WORKDIR /app
COPY --chown=root:root . /app/

# Configuration is environment variables over appsettings.json: Convo__Section__Key (double underscores for ':').
# Serve HTTP on every interface of the container; off loopback the silo refuses to start without
# Convo__Http__ApiKey (/healthz and /readyz stay open). The silo advertises Convo__AdvertisedAddress to its peers.
# ASPNETCORE_HTTP_PORTS is cleared: the silo binds Convo__Http__Urls, and the official image's default would
# only add a warning that it is overridden.
ENV Convo__Http__Urls=http://0.0.0.0:8080 \
    ASPNETCORE_HTTP_PORTS= \
    DOTNET_NOLOGO=1 \
    HOME=/app

# 8080 HTTP (events page, API, /healthz, /readyz, /metrics); 11111 silo-to-silo; 30000 gateway (Orleans clients).
EXPOSE 8080 11111 30000

USER ${APP_UID}

# Liveness as the container runtime sees it. Readiness (/readyz: started, not stopping, the cluster answers) is for
# load balancers and Kubernetes' readinessProbe; `convo-silo probe /readyz` asks it from inside the container.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["dotnet", "/app/convo-silo.dll", "probe", "/healthz"]

# Exec form: dotnet is PID 1 and gets SIGTERM itself; the host then stops gracefully (running handlers get
# Convo:Orchestrator:ShutdownGracePeriod, 10 s by default, and the host up to 20 s more), so give `docker stop`
# a longer timeout than that (-t 40) and Kubernetes a longer terminationGracePeriodSeconds.
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "/app/convo-silo.dll"]
