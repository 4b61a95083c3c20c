# CallPush: docker build -t callpush . && docker run -p 8080:8080 -e ConnectionStrings__CallPush=... callpush
# Nothing secret is baked in: the connection string and the push credentials come from the environment at run time.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH=amd64
WORKDIR /source

# ReadyToRun: the published code is precompiled for the image's architecture, so a new pod (a restart, a scale-out
# under load) spends less of its first seconds in the JIT; docs/benchmarks.md has the measurements and their noise.
RUN case "$TARGETARCH" in amd64) echo linux-x64 ;; arm64) echo linux-arm64 ;; *) exit 1 ;; esac > /tmp/rid

# Restore first, from the files that decide the package graph, so a source-only change reuses this layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/CallPush.Api/CallPush.Api.csproj src/CallPush.Api/
RUN dotnet restore src/CallPush.Api/CallPush.Api.csproj -r "$(cat /tmp/rid)" -p:PublishReadyToRun=true

COPY .editorconfig ./
COPY src/CallPush.Api/ src/CallPush.Api/
RUN dotnet publish src/CallPush.Api/CallPush.Api.csproj -c Release --no-restore -o /app -r "$(cat /tmp/rid)" \
    --self-contained false -p:PublishReadyToRun=true -p:UseAppHost=false
# The file store's and the exports' mount points, owned by the app user so fresh named volumes are writable (the
# runtime has no shell).
RUN mkdir -p /callpush-data/recordings /callpush-data/exports

# Chiseled: no shell, no package manager, no root user; InvariantGlobalization is on, so no ICU is needed.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY --from=build --chown=$APP_UID:$APP_UID /callpush-data /var/lib/callpush

# 8080 is the image's default already; stated here because the probes and the chart depend on it.
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080

# No HEALTHCHECK: the chiseled image has neither a shell nor curl to run one. The orchestrator probes
# /health/live and /health/ready instead (docker-compose.yml and the Helm chart in charts/callpush).

# The numeric id (1654, the image's "app" user) lets Kubernetes verify runAsNonRoot.
USER $APP_UID
ENTRYPOINT ["dotnet", "CallPush.Api.dll"]
