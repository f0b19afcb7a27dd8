# streamcheck's emulators as a container image: Kinesis and S3 on the
# LocalStack-compatible edge port 4566 (health at /_localstack/health, faults
# at /_streamcheck/faults) and Kafka on 9092. testcontainers-go runs it like
# LocalStack (localstack.Run or GenericContainer, waiting on the health path).
#
# The image holds one static binary built outside Docker, so building it
# needs no base image and no network:
#
#   CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" \
#       -o bin/streamcheck-emulator ./cmd/streamcheck-emulator
#   docker build -t streamcheck/emulator:dev .
#
# Kafka clients outside the container must reach the port the broker
# advertises (127.0.0.1:9092 by default): publish it on the same host port
# (-p 9092:9092), or pass --kafka-port and --kafka-advertise to match yours.
FROM scratch
COPY bin/streamcheck-emulator /streamcheck-emulator
# Data stays in memory unless a directory is given, e.g. a volume:
#   docker run -v scdata:/data -e STREAMCHECK_DATA_DIR=/data ...
ENV STREAMCHECK_HOST=0.0.0.0
EXPOSE 4566 9092
USER 65534:65534
ENTRYPOINT ["/streamcheck-emulator"]
