"""Interpreter instructions spent inside chosen functions of a step transition, counted by valgrind.

    .venv/bin/python bench/transition_regions.py [--cases 2] REGION [REGION ...]

A REGION is `module:function` or `module:Class.method` (e.g. `satuatap.journey.services:_save`), or `ALL` for the
whole WSGI call. Run `step_throughput.py` first (it makes the database, the bench cases and the desk officers).

For each region a child process walks one warm-up case and then --cases more through their journey, in process
through satuatap's WSGI callable (as `transition_instructions.py` does), under `valgrind --tool=callgrind
--collect-atstart=no`. The region's function is wrapped so that callgrind collects only while its outermost call
runs (a three-line C helper, compiled here with gcc against valgrind's `callgrind.h`, toggles collection), and
only after the warm-up case. Collected instructions divided by the transitions walked is the region's inclusive
cost per transition, averaged over starts and completions. Patching a module attribute reaches callers that look
the function up through its module or class at call time, not those holding their own reference to it.

Writes bench/results/transition_regions.json. About 1.5 minutes per region with --cases 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py would shadow the standard library's `queue` (see step_throughput.py)
# ruff: noqa: E402
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile


def _sibling(name: str):
    """A bench script of this directory as a module (they are not a package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().with_name(f"{name}.py"))
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ti = _sibling("transition_instructions")  # which loads step_throughput
st = ti.st

_TOGGLE_C = "#include <valgrind/callgrind.h>\nvoid satuatap_toggle(void) { CALLGRIND_TOGGLE_COLLECT; }\n"


def _toggle_library(workdir: Path) -> Path:
    source, library = workdir / "toggle.c", workdir / "libtoggle.so"
    source.write_text(_TOGGLE_C)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return library


def region_child(job: dict) -> None:
    """In the child: wrap the region, walk the warm-up case uncounted and the rest counted."""
    import ctypes

    toggle = ctypes.CDLL(job["library"]).satuatap_toggle
    os.environ.update(st.django_env(job["url"], **ti.UNDER_VALGRIND))
    from satuatap.config.wsgi import application

    armed, depth = [False], [0]

    def counted(fn):
        def wrapper(*args, **kwargs):
            outermost = armed[0] and depth[0] == 0
            depth[0] += 1
            if outermost:
                toggle()
            try:
                return fn(*args, **kwargs)
            finally:
                if outermost:
                    toggle()
                depth[0] -= 1
        return wrapper

    region = job["region"]
    if region == "ALL":
        application = counted(application)
    else:
        module, _, attr = region.partition(":")
        owner = importlib.import_module(module)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, counted(getattr(owner, name)))
    for n, number in enumerate(job["cases"]):
        armed[0] = n > 0
        for code, action, agency, body in job["plan"]:
            status: list[str] = []
            result = application(ti._environ(f"/api/v1/cases/{number}/steps/{code}/{action}", body.encode(),
                                             job["tokens"][agency]["token"]),
                                 lambda s, h, e=None, seen=status: seen.append(s))
            b"".join(result)
            result.close()
            if not status[0].startswith("2"):
                raise SystemExit(f"{number} {code} {action}: {status[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("regions", nargs="*", metavar="REGION")
    parser.add_argument("--cases", type=int, default=2, help="cases counted after the warm-up (28 transitions each)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", st.DEFAULT_URL))
    parser.add_argument("--_child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        region_child(json.loads(Path(args._child).read_text()))
        return
    if not args.regions:
        parser.error("name at least one REGION (module:function, module:Class.method or ALL)")
    for tool in ("valgrind", "gcc"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (Debian packages valgrind and gcc)")
    url = args.database_url
    tokens = st.tokens_for(url)
    plan = ti.journey_plan(url)
    fresh, _ = st.cases_to_walk(url)
    per_region = 1 + args.cases
    if len(fresh) < per_region * len(args.regions):
        raise SystemExit("too few untouched bench cases: run step_throughput.py --fresh")
    out: dict = {"cases": args.cases, "transitions": args.cases * len(plan), "source": st.source_state(),
                 "regions": {}}
    st.RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        library = _toggle_library(Path(tmp))
        for i, region in enumerate(args.regions):
            cases = fresh[len(fresh) - per_region * (i + 1): len(fresh) - per_region * i]  # from the end, disjoint
            job_path = Path(tmp) / "job.json"
            job_path.write_text(json.dumps({"region": region, "url": url, "tokens": tokens, "plan": plan,
                                            "cases": cases, "library": str(library)}))
            done = subprocess.run(
                ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--callgrind-out-file=/dev/null",
                 sys.executable, str(Path(__file__)), "--_child", str(job_path)],
                capture_output=True, text=True, check=False, env={**os.environ, **ti.FIXED_HASHING},
            )
            found = re.search(r"Collected : (\d+)", done.stderr)
            if done.returncode != 0 or not found:
                sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
                raise SystemExit(f"the child for {region} failed under valgrind")
            per = int(found.group(1)) / (args.cases * len(plan))
            out["regions"][region] = round(per)
            print(f"{region:70} {per / 1e3:9.1f} k instructions per transition", flush=True)
    (st.RESULTS / "transition_regions.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
