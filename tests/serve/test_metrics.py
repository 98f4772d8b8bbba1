"""/metrics against a started server over real connections: every route is labelled by its own path template."""

import re

import httpx

from helpers import data_uri


def test_every_route_gets_its_own_label(page_server, mnist_test):
    url = page_server.url
    digit = data_uri(mnist_test[0][0])
    expected = {
        ("/", "200"): httpx.get(f"{url}/"),
        ("/review", "200"): httpx.get(f"{url}/review"),
        ("/status", "200"): httpx.get(f"{url}/status"),
        ("/api/v1/models", "200"): httpx.get(f"{url}/api/v1/models"),
        ("/api/v1/predict", "200"): httpx.post(f"{url}/api/v1/predict", json={"images": [digit]}),
        ("/api/v1/samples", "401"): httpx.get(f"{url}/api/v1/samples"),
        ("/api/v1/samples/{sample_id}", "401"): httpx.delete(f"{url}/api/v1/samples/7"),
        ("/static", "200"): httpx.get(f"{url}/static/style.css"),
        ("unmatched", "404"): httpx.get(f"{url}/no/such/page"),
    }
    for (_, code), response in expected.items():
        assert str(response.status_code) == code, response.text
    text = httpx.get(f"{url}/metrics").text
    counted = dict(re.findall(r'digitkit_requests_total\{(code="\d+",route="[^"]*")\} (\S+)', text))
    for route, code in expected:
        assert float(counted[f'code="{code}",route="{route}"']) >= 1
    assert not any('route="other"' in key for key in counted)


def test_two_workers_answer_with_the_sum_of_both(start_server, smoke_artifact):
    """Multiprocess mode: whichever worker answers /metrics, the count covers every worker's requests."""
    running = start_server(["--model", str(smoke_artifact), "--no-access-log", "--workers", "2"])
    for _ in range(60):  # a new connection each time: the kernel spreads them over both workers
        assert httpx.get(f"{running.url}/status").status_code == 200
    counts = set()
    for _ in range(8):
        text = httpx.get(f"{running.url}/metrics").text
        counts.add(float(re.search(r'digitkit_requests_total\{code="200",route="/status"\} (\S+)', text).group(1)))
    # The start-up probe's /status requests count too; the total is the same from either worker.
    assert len(counts) == 1 and counts.pop() >= 60, counts
