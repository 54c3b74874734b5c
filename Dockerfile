# One image for every part of Effekt: the command picks the part (see compose.yaml).
#   docker build -t effekt .
#   docker run --rm effekt --help

FROM python:3.11-slim AS build
RUN pip install --no-cache-dir --disable-pip-version-check "uv==0.13.9"
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
# Dependencies first, from the lock only: this layer is rebuilt when uv.lock changes, not on every edit.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
# Then Effekt itself, installed as a wheel (not editable) so the runtime stage needs only the venv.
COPY effekt ./effekt
COPY kit ./kit
COPY services ./services
COPY gateway ./gateway
COPY frontend ./frontend
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/effekt effekt \
 && install -d -o effekt -g effekt /data
COPY --from=build /app/.venv /app/.venv
# EFFEKT_DATA_DIR only matters without database URLs and REDIS_URL (SQLite files, embedded Redis).
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    EFFEKT_DATA_DIR=/data
USER effekt
WORKDIR /home/effekt
EXPOSE 8000 8001 8002 8003
ENTRYPOINT ["effekt"]
CMD ["serve", "gateway", "--host", "0.0.0.0", "--port", "8000", "--migrate"]
