#!/bin/sh
# Start the province's Chroma server (vectors of every app worker's index).
#   scripts/chroma_server.sh [DATA_DIR] [HOST] [PORT]
# Then point every worker and the ingest job at it:
#   export ASSISTANT_CHROMA_URL=http://HOST:PORT
# Chroma has no login of its own: keep HOST on loopback or a private network behind a firewall.
set -eu
DATA=${1:-/srv/tro-ly-cds/chroma}
HOST=${2:-127.0.0.1}
PORT=${3:-8000}
mkdir -p "$DATA"
export ANONYMIZED_TELEMETRY=False
exec chroma run --path "$DATA" --host "$HOST" --port "$PORT"
