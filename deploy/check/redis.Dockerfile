# A stand-in for the official redis:7-bookworm image, from Debian's redis-server (7.0), for
# deploy/check only. As there, `redis-server` without a config file runs with protected mode off.
ARG BASE_IMAGE=local/python:3.11-bookworm
FROM ${BASE_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* && mkdir /data && chown redis: /data
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
WORKDIR /data
USER redis
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["redis-server"]
