# The Dayu image: the static binary alone, FROM scratch, so that building
# it pulls nothing. Build it with scripts/image.sh, which prepares the
# context (the binary and the empty /data and /tmp it copies).
FROM scratch
# /data is the SQLite store's volume; /tmp is SQLite's for temporary files.
# Both belong to the user the server runs as: scratch has no other.
COPY --chown=65532:65532 data /data
COPY --chown=65532:65532 tmp /tmp
COPY dayu /dayu
# Every serve flag is also DAYU_<FLAG>: override these with docker run -e.
# The public URL is what the tokens' catalog lists; it fits
# docker run -p 127.0.0.1:8080:8080.
ENV DAYU_ADDR=0.0.0.0:8080 \
    DAYU_DATA=/data \
    DAYU_PUBLIC_URL=http://127.0.0.1:8080
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8080
# dayu health GETs http://127.0.0.1:8080/readyz (DAYU_ENDPOINT, if
# DAYU_ADDR moves the port): no shell or curl in the image.
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 CMD ["/dayu", "health"]
ENTRYPOINT ["/dayu"]
CMD ["serve"]
