"""The detached process that runs a local training job: `python -m advisor_local.supervise RUN_DIR`.

advisor starts it in its own session (a new process group, the group advisor's `jobs cancel` stops),
with stdout and stderr going to the run's log, and returns at once. It runs the command in `job.json`
from the run folder, waits for it, and writes `exit.json` (the exit code and when it ended): how advisor
tells a trainer that finished or failed from one whose process died (no `exit.json`, process gone).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from advisor.plugin_api import shell_command


def main(run_dir: Path) -> int:
    job = json.loads((run_dir / "job.json").read_text(encoding="utf-8"))
    print(f"advisor: starting {shell_command(*job['command'])}", flush=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    code = subprocess.call(job["command"], cwd=run_dir, env=env)
    ended = {"code": code, "finished_at": time.time()}
    part = run_dir / "exit.json.part"
    part.write_text(json.dumps(ended), encoding="utf-8")
    part.replace(run_dir / "exit.json")
    print(f"advisor: the trainer exited with code {code}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
