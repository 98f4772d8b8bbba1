"""digitkit models: list, promote (gated), reset; and a serving install without torch."""

import json
import os
import subprocess
import sys

from digitkit.versions import Registry


def test_models_lists_promotes_through_the_gate_and_resets(tmp_path, cli, smoke_artifact):
    env = {**os.environ, "DIGITKIT_DATA_DIR": str(tmp_path)}
    empty = cli("models", env=env)
    assert empty.returncode == 0 and "no versions" in empty.stdout
    version = Registry(tmp_path / "models").add(
        smoke_artifact, checkpoint=None, recipe={"name": "smoke"}, data={"source": "mnist"}, parent=None
    )
    listed = cli("models", env=env)
    assert version.id in listed.stdout and "configured model default serves" in listed.stdout

    refused = cli("models", "promote", version.id, env=env)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "--force" in refused.stderr
    assert cli("models", "promote", version.id, "--force", env=env).returncode == 0
    (row,) = json.loads(cli("models", "--json", env=env).stdout)
    assert row["id"] == version.id and row["default"] and row["metrics"] == version.metrics

    missing = cli("models", "promote", "no-such-version", env=env)
    assert missing.returncode == 2 and "no model version" in missing.stderr
    assert cli("models", "promote", env=env).returncode == 2
    assert cli("models", "reset", env=env).returncode == 0
    assert not json.loads(cli("models", "--json", env=env).stdout)[0]["default"]


def test_serving_never_imports_torch():
    """`make serve` installs no torch: the CLI, the app and the operations routes must load without it."""
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from digitkit.cli import main\n"
        "from digitkit.serve.web.app import create_app\n"
        "import digitkit.jobs, digitkit.versions\n"
        "assert main(['serve', '--help']) == 0 and main(['models', '--help']) == 0\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
