# Parley on the official Payara Micro image (Java 17). Build the WAR first, then the image:
#   mvn package -DskipTests && docker build -t parley .
#   docker run -p 8080:8080 -v parley-data:/opt/payara/data -e PARLEY_API_KEYS=... parley
# The Payara version follows the POM's payara.version (DockerfileTest checks that they agree).
ARG PAYARA_IMAGE=payara/micro:6.2025.10-jdk17
FROM ${PAYARA_IMAGE}

# The base image runs as user payara in /opt/payara with payara-micro.jar there.

# The embedded database (when no PARLEY_DB_URL is set) lives on a volume, so messages survive a new container.
RUN mkdir -p /opt/payara/data
VOLUME /opt/payara/data

# Every setting is a MicroProfile Config property, so each can be given as an environment variable
# (PARLEY_DB_URL, PARLEY_AUTH_MODE, PARLEY_API_KEYS, PARLEY_ORIGINS, ...: see the README's Configuration).
ENV PARLEY_DATA_DIR=/opt/payara/data

# Deployed as ROOT: the chat at /chat, the page at /, health at /health, metrics at /metrics.
COPY --chown=payara:payara target/parley.war /opt/payara/deployments/ROOT.war

EXPOSE 8080

# Readiness: 200 while the database answers and the node is not draining. No curl in the image: bash's /dev/tcp.
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

# Java as PID 1 (exec), so "docker stop" (SIGTERM) reaches Payara Micro and the node drains before it exits.
# JVM_ARGS takes extra JVM options (-D settings, a key store); the arguments are the CMD's or those given to "docker run".
ENTRYPOINT ["/bin/sh", "-c", "exec java -XX:MaxRAMPercentage=${MEM_MAX_RAM_PERCENTAGE:-70.0} -Xss${MEM_XSS:-512k} -XX:+ExitOnOutOfMemoryError ${JVM_ARGS} -jar /opt/payara/payara-micro.jar \"$@\"", "payara-micro"]

# One node by default; drop --nocluster (and configure Hazelcast discovery) to cluster containers.
CMD ["--deploymentDir", "/opt/payara/deployments", "--nocluster", "--port", "8080"]
