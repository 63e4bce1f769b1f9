"""The prod overlay's broker users (overlays/prod/broker-users.yaml), tried on this machine's
RabbitMQ: each service's permissions, set on a user of a throwaway virtual host exactly as the
Topology Operator would set them, let its worker declare its topology, publish and consume,
and refuse it another service's queue (ACCESS_REFUSED, 403)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit

import pika
import pytest
import yaml
from pika.exceptions import ChannelClosedByBroker

from erp_shared.bus import declare_topology
from erp_shared.config import APPS, SERVICES
from erp_testing import broker_url, settings_class, unique

PERMISSIONS = Path(__file__).resolve().parents[2] / "deploy/k8s/overlays/prod/broker-users.yaml"


def rabbitmqctl(*arguments: str) -> None:
    ran = subprocess.run(["rabbitmqctl", *arguments], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr


def permissions_of(service: str) -> dict:
    documents = yaml.safe_load_all(PERMISSIONS.read_text())
    user = f"{service}-broker-user"
    [permission] = [
        d for d in documents
        if d["kind"] == "Permission" and d["spec"]["userReference"]["name"] == user
    ]  # fmt: skip
    return permission["spec"]["permissions"]


@pytest.fixture
def user_of():
    """Connect as a new user of a new virtual host with a service's permissions."""
    if shutil.which("rabbitmqctl") is None:
        pytest.fail("rabbitmqctl is not on PATH: it comes with RabbitMQ's Debian package")
    made = []

    def connect(service: str) -> pika.BlockingConnection:
        vhost, user, password = unique("erp-perm-"), unique("erp-user-"), unique()
        rabbitmqctl("add_vhost", vhost)
        rabbitmqctl("add_user", user, password)
        made.append((vhost, user))
        allowed = permissions_of(service)
        rabbitmqctl("set_permissions", "-p", vhost, user,
                    allowed["configure"], allowed["write"], allowed["read"])  # fmt: skip
        host = urlsplit(broker_url()).netloc.rpartition("@")[2]
        url = f"amqp://{user}:{password}@{host}/{quote(vhost, safe='')}"
        return pika.BlockingConnection(pika.URLParameters(url))

    yield connect
    for vhost, user in made:
        rabbitmqctl("delete_vhost", vhost)
        rabbitmqctl("delete_user", user)


# The gateway's user is its webhook worker's, whose queue is gateway.webhooks.
@pytest.mark.parametrize("service", APPS)
def test_a_service_user_runs_its_own_topology_and_nothing_else(user_of, service):
    settings = settings_class(service)(service=service, database_url="sqlite://", amqp_url="")
    connection = user_of(service)
    try:
        channel = connection.channel()
        declare_topology(channel, settings, ["order.confirmed"])
        channel.confirm_delivery()
        channel.basic_publish(settings.exchange, "order.confirmed", b"{}")
        method, _, body = next(channel.consume(settings.queue, inactivity_timeout=5))
        assert method is not None and body == b"{}"
        channel.basic_ack(method.delivery_tag)
        channel.cancel()
        other = next(s for s in SERVICES if s != service)
        with pytest.raises(ChannelClosedByBroker) as refused:
            channel.queue_declare(f"{other}.events", durable=True)
        assert refused.value.reply_code == 403
    finally:
        connection.close()
