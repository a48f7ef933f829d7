"""The soak test's short version (make soak runs it for an hour): every
server of `inetkit up` for a few seconds under checked mixed load and
reloads, in a network namespace of its own; every response right, no
descriptor growth, nothing unexpected on stderr, a clean exit."""
import os
import subprocess

import pytest

from conftest import INETKIT, ROOT


def test_soak_short():
    probe = subprocess.run(["unshare", "--net", "true"],
                           capture_output=True, timeout=10)
    if probe.returncode != 0:
        pytest.skip("cannot create a network namespace here")
    env = dict(os.environ, INETKIT=INETKIT)
    r = subprocess.run([os.path.join(ROOT, "scripts/soak.sh"), "0.15"],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "| every response right | pass |" in r.stdout
    assert "| no descriptor growth | pass |" in r.stdout
