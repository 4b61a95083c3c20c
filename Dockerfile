# CallPush: docker build -t callpush . && docker run -p 8080:8080 -e ConnectionStrings__CallPush=... callpush
# Nothing secret is baked in: the connection string and the push credentials come from the environment at run time.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source

# Restore first, from the files that decide the package graph, so a source-only change reuses this layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/CallPush.Api/CallPush.Api.csproj src/CallPush.Api/
RUN dotnet restore src/CallPush.Api/CallPush.Api.csproj

COPY .editorconfig ./
COPY src/CallPush.Api/ src/CallPush.Api/
RUN dotnet publish src/CallPush.Api/CallPush.Api.csproj -c Release --no-restore -o /app -p:UseAppHost=false

# Chiseled: no shell, no package manager, no root user; InvariantGlobalization is on, so no ICU is needed.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./

# 8080 is the image's default already; stated here because the probes and the chart depend on it.
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080

# No HEALTHCHECK: the chiseled image has neither a shell nor curl to run one. The orchestrator probes
# /health/live and /health/ready instead (docker-compose.yml and the Helm chart in charts/callpush).

# The numeric id (1654, the image's "app" user) lets Kubernetes verify runAsNonRoot.
USER $APP_UID
ENTRYPOINT ["dotnet", "CallPush.Api.dll"]
