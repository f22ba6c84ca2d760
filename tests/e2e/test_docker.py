"""The container recipe, checked without pulling images (these machines cannot): the Dockerfile is parsed and its
build stage's install steps and its start step are run in a fresh virtualenv and a temporary directory; the
compose file is checked for the services docs/deploy.md promises, and by `docker compose config` when the client
has compose."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from bot.sandbox.slack import FakeSlack
from tests.e2e.conftest import wait_for
from tests.e2e.test_run_process import bot_env, free_port, healthy

ROOT = Path(__file__).resolve().parents[2]
VENV_IN_IMAGE = "/opt/rapport"


def stages() -> list[list[dict[str, str]]]:
    """The Dockerfile's instructions, split by FROM."""
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    split: list[list[dict[str, str]]] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            split.append([])
        if split and instruction["instruction"] != "COMMENT":
            split[-1].append(instruction)
    return split


def values(stage: list[dict[str, str]], name: str) -> list[str]:
    return [i["value"] for i in stage if i["instruction"] == name]


def test_the_image_is_multi_stage_slim_non_root_and_healthchecked() -> None:
    build, runtime = stages()
    assert values(build, "FROM")[0].startswith("python:3.11-slim")
    assert values(runtime, "FROM")[0].startswith("python:3.11-slim")
    assert any(v.startswith(f"--from=build {VENV_IN_IMAGE}") for v in values(runtime, "COPY")), "only the venv"
    [user] = values(runtime, "USER")
    assert user not in ("root", "0")
    [health] = values(runtime, "HEALTHCHECK")
    assert "/healthz" in health
    [entrypoint] = values(runtime, "ENTRYPOINT")
    assert json.loads(entrypoint) == ["rapport", "run"]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "*.db"} <= set(ignored), "no history, venv, secrets or data in the context"


@pytest.mark.slow
def test_the_build_steps_install_rapport_and_it_starts_healthy(tmp_path: Path) -> None:
    build, runtime = stages()
    src, venv = tmp_path / "src", tmp_path / "venv"
    src.mkdir()
    for copy in values(build, "COPY"):
        *sources, _destination = shlex.split(copy)
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(origin, src / source, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(origin, src / source)
    for run in values(build, "RUN"):
        command = run.replace(VENV_IN_IMAGE, str(venv)).replace("python -m venv", f"{sys.executable} -m venv")
        done = subprocess.run(command, shell=True, cwd=src, capture_output=True, timeout=600)
        assert done.returncode == 0, done.stderr.decode()[-2000:]

    # The start step, as the image runs it: its ENV, the entrypoint, from a working directory with nothing else.
    env_lines = " ".join(values(runtime, "ENV"))
    image_env = dict(pair.split("=", 1) for pair in shlex.split(env_lines.replace("\\", " ")) if "=" in pair)
    assert image_env["DATABASE_URL"].startswith("sqlite:////data/")
    data = tmp_path / "data"
    data.mkdir()
    port = free_port()
    with FakeSlack() as fake:
        env = bot_env(fake, data, PORT=str(port), RAPPORT_LOG_FORMAT=image_env["RAPPORT_LOG_FORMAT"])
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env.pop("PYTHONPATH", None)  # only what the build installed
        entrypoint = json.loads(values(runtime, "ENTRYPOINT")[0])
        process = subprocess.Popen(
            [str(venv / "bin" / entrypoint[0]), *entrypoint[1:]],
            env=env,
            cwd=data,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: healthy(f"http://127.0.0.1:{port}"), what="/healthz from the installed bot", timeout=60)
            check = values(runtime, "HEALTHCHECK")[0].split("CMD", 1)[1].strip()
            probe = subprocess.run(
                check.replace("python ", f"{venv / 'bin' / 'python'} ", 1), shell=True, env=env, timeout=30
            )
            assert probe.returncode == 0, "the image's own HEALTHCHECK command passes"
        finally:
            process.terminate()
            output, _ = process.communicate(timeout=20)
        assert process.returncode == 0, output.decode()[-2000:]
        assert b"Traceback" not in output


def test_compose_runs_postgres_a_web_and_a_worker() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "web", "worker"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["web"]["command"] == ["--role", "web"] and services["worker"]["command"] == ["--role", "worker"]
    for role in ("web", "worker"):
        assert services[role]["depends_on"]["db"]["condition"] == "service_healthy"
        assert services[role]["environment"]["DATABASE_URL"].startswith("postgresql://")
    example = (ROOT / ".env.example").read_text()
    assert "SLACK_BOT_TOKEN=" in example and "SLACK_SIGNING_SECRET=" in example
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        done = subprocess.run([docker, "compose", "config", "--quiet"], cwd=ROOT, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode()
