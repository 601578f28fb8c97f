# The sandbox as a container image: a static binary on a distroless base, run as a non-root
# user, listening on 0.0.0.0:8080, with a HEALTHCHECK that needs no shell or curl.
#
#   docker build --build-arg REVISION=$(git rev-parse HEAD) -t partner-sandbox .
#   docker run --rm -p 8080:8080 partner-sandbox
#
# Configure it like the binary: SANDBOX_* variables (docker run -e SANDBOX_SEED=7) or a
# --config file mounted into the container (SANDBOX_CONFIG=/etc/sandbox/sandbox.yaml).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG REVISION=""
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.revision=${REVISION}" \
      -o /out/sandbox ./cmd/sandbox

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sandbox /usr/local/bin/sandbox
USER nonroot:nonroot
ENV SANDBOX_ADDR=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/sandbox", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/sandbox"]
CMD ["serve"]
