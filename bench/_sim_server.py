"""Serve the simulator in its own process, for benchmarks that need a server that does
not share the GIL with the client under test (bench/download_bench.py).

    python bench/_sim_server.py MODEL_BYTES

Prints one JSON line {"base_url", "key", "job_id", "url", "size"} (``url``: the
presigned URL of the biggest file of a completed run's model) and serves until its
stdin is closed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KEY = "axom_live_benchdownload000000000000000000"


def main() -> int:
    import httpx

    from axom_tui.sim import SimConfig, SimServer, Simulator
    from bench._common import serve_until_stdin_closes

    model_bytes = int(sys.argv[1])
    config = SimConfig(seed=7, key=KEY, model_bytes=model_bytes, model_shards=1, url_ttl=3600.0)
    server = SimServer(Simulator(config), host="127.0.0.1", port=0).start()

    def announce() -> dict[str, object]:
        headers = {"Authorization": f"Bearer {KEY}"}
        models = httpx.get(f"{server.base_url}/models", headers=headers).json()
        models = models.get("models", models) if isinstance(models, dict) else models
        model = models[0]
        manifest = httpx.get(
            f"{server.base_url}/models/{model['id']}/download", headers=headers
        ).json()
        biggest = max(manifest["files"], key=lambda f: f["size"])
        return {
            "base_url": server.base_url,
            "key": KEY,
            "job_id": model["lineage"]["job_id"],
            "url": biggest["url"],
            "size": biggest["size"],
            "total": sum(f["size"] for f in manifest["files"]),
        }

    return serve_until_stdin_closes(server, announce)


if __name__ == "__main__":
    raise SystemExit(main())
