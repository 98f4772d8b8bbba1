"""Access control against a started server over real connections: /exit, the admin token, Host, headers."""

import os

import httpx
import pytest

TOKEN = "a-long-random-admin-token"


@pytest.fixture
def guarded(smoke_artifact, tmp_path, start_server):
    """A server with an admin token configured."""
    env = {**os.environ, "DIGITKIT_DATA_DIR": str(tmp_path), "DIGITKIT_ADMIN_TOKEN": TOKEN}
    return start_server(["--model", str(smoke_artifact), "--no-access-log"], env=env)


def test_exit_is_404_without_the_flag_and_the_server_keeps_running(server):
    for method in ("GET", "HEAD"):
        assert httpx.request(method, f"{server.url}/exit").status_code == 404
    assert httpx.get(f"{server.url}/status").json() == {"status": "Ok"}
    assert server.process.poll() is None


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/samples", None),
        ("PUT", "/api/v1/digits/1/label", {"label": 3}),
        ("DELETE", "/api/v1/samples/1", None),
    ],
)
def test_stored_data_routes_are_403_with_the_fix_when_no_token_is_configured(server, method, path, body):
    response = httpx.request(method, f"{server.url}{path}", json=body, headers={"authorization": "Bearer anything"})
    assert response.status_code == 403
    assert "DIGITKIT_ADMIN_TOKEN" in response.json()["error"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"authorization": "Bearer wrong"}, 401),
        ({"authorization": f"Basic {TOKEN}"}, 401),
        ({"authorization": f"Bearer {TOKEN}"}, 200),
    ],
)
def test_the_admin_token_missing_wrong_and_right(guarded, headers, status):
    response = httpx.get(f"{guarded.url}/api/v1/samples", headers=headers)
    assert response.status_code == status, response.text
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer" and "admin token" in response.json()["error"]
    else:
        assert response.json() == []


def test_relabel_and_delete_need_the_token_too(guarded):
    for method, path in (("PUT", "/api/v1/digits/1/label"), ("DELETE", "/api/v1/samples/1")):
        assert httpx.request(method, f"{guarded.url}{path}", json={"label": 3}).status_code == 401
        authorized = httpx.request(
            method, f"{guarded.url}{path}", json={"label": 3}, headers={"authorization": f"Bearer {TOKEN}"}
        )
        assert authorized.status_code == 404  # past the check: the row does not exist


def test_a_foreign_host_header_is_refused_with_json(server):
    refused = httpx.get(f"{server.url}/status", headers={"host": "evil.example"})
    assert refused.status_code == 400 and "DIGITKIT_ALLOWED_HOSTS" in refused.json()["error"]
    for host in ("localhost", f"127.0.0.1:{server.port}", "[::1]:80"):
        assert httpx.get(f"{server.url}/status", headers={"host": host}).status_code == 200


def test_allowed_hosts_are_configurable(smoke_artifact, start_server):
    running = start_server(["--model", str(smoke_artifact), "--allowed-hosts", "digits.example,127.0.0.1"])
    assert httpx.get(f"{running.url}/status", headers={"host": "digits.example:8000"}).status_code == 200
    assert httpx.get(f"{running.url}/status", headers={"host": "localhost"}).status_code == 400  # not listed now


@pytest.mark.parametrize("path", ["/", "/review", "/status", "/api/v1/models"])
def test_pages_cannot_be_framed_or_sniffed(server, path):
    headers = httpx.get(f"{server.url}{path}").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
