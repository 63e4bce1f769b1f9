"""The container deployment, checked offline: what an operator relies on at `docker compose up`.

docker-compose.yml is parsed and validated with compose-spec (the Compose specification's own
schema, no Docker engine needed); deploy/Dockerfile and the Prometheus and Grafana files beside
it are read as text.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from compose_spec import PyOptions

from erp_shared.config import APPS as DEPLOYABLES
from erp_shared.config import DEFAULT_PORTS, SERVICES

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = "deploy/Dockerfile"
SOURCE_DIRS = {"gateway": "gateway", **{name: f"services/{name}" for name in SERVICES}}
WORKERS = {**{f"{name}-worker": name for name in SERVICES}, "gateway-webhooks": "gateway"}
APPS_AND_WORKERS = [*DEPLOYABLES, *WORKERS]

SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN)$")
REQUIRED_VARIABLE = re.compile(r"\$\{[A-Z][A-Z0-9_]*:\?[^}]+\}")
VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<rest>[^}]*)\}")
DATABASE_URL = re.compile(
    r"postgresql://(?P<user>[^:@]+):(?P<password>\$\{[^}]+\})@(?P<host>[^:/]+):5432/(?P<db>\w+)"
)


def load_yaml(path: Path):
    """PyYAML is not among the project's packages, but compose-spec parses YAML and hands an
    `x-` extension back as plain data, so any YAML document can be read nested under one."""
    wrapped = "services: {}\nx-document:\n" + textwrap.indent(path.read_text(), "  ")
    return PyOptions().from_yaml(wrapped).extensions["x-document"]


@pytest.fixture(scope="module")
def compose():
    # Merge keys (`<<`) carry the shared blocks, so they must be resolved while parsing.
    return PyOptions(apply_merge=True).from_yaml((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict]:
    return compose.to_dict()["services"]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def depends_on(service: dict) -> dict[str, dict]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return deps


def published_addresses(service: dict) -> set[tuple[str, int, int]]:
    """(host address, published, target) from the short ("[ip:]8080:8080") or the long
    syntax; no address means every interface of the host."""
    published = set()
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            address = port.get("host_ip") or "0.0.0.0"
            published.add((address, int(port["published"]), int(port["target"])))
        else:
            *address, host_port, target = str(port).split(":")
            published.add(
                (address[0] if address else "0.0.0.0", int(host_port), int(target.split("/")[0]))
            )
    return published


def published_ports(service: dict) -> set[tuple[int, int]]:
    """(published, target) pairs, on whichever address."""
    return {(published, target) for _, published, target in published_addresses(service)}


def named_volumes(service: dict) -> set[str]:
    names = set()
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type", "volume") == "volume" and volume.get("source"):
                names.add(volume["source"])
        elif ":" in volume and not volume.startswith((".", "/", "~")):
            names.add(volume.split(":", 1)[0])
    return names


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, with line continuations joined."""
    text = re.sub(r"\\\n", "", (ROOT / DOCKERFILE).read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def test_compose_file_follows_the_compose_specification(compose):
    compose.validate()
    compose.to_spec()


def test_every_dependency_and_named_volume_is_declared(compose, services):
    # compose-spec's validate() does not look at depends_on or at short-syntax volumes.
    declared_volumes = set(compose.to_dict().get("volumes") or {})
    for name, service in services.items():
        assert set(depends_on(service)) <= set(services), name
        assert named_volumes(service) <= declared_volumes, name


def test_every_service_has_a_database_migration_app_and_worker(services):
    for name in DEPLOYABLES:
        assert {name, f"{name}-migrate", f"{name}-db"} <= set(services), name
        migrate = ["python", "-m", "erp_shared.migrate", name]
        assert services[f"{name}-migrate"]["command"] == migrate
    for name in SERVICES:
        assert services[f"{name}-worker"]["command"] == ["python", "-m", f"{name}.worker"]
        assert (ROOT / SOURCE_DIRS[name] / name / "worker.py").is_file()
    webhooks = ["python", "-m", "gateway.webhooks.worker"]
    assert services["gateway-webhooks"]["command"] == webhooks


@pytest.mark.parametrize("process", APPS_AND_WORKERS)
def test_apps_and_workers_start_after_their_migration(services, process):
    deployable = WORKERS.get(process, process)
    condition = depends_on(services[process])[f"{deployable}-migrate"]["condition"]
    assert condition == "service_completed_successfully"


@pytest.mark.parametrize("deployable", DEPLOYABLES)
def test_migration_waits_for_a_healthy_database(services, deployable):
    migrate = services[f"{deployable}-migrate"]
    assert depends_on(migrate)[f"{deployable}-db"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"


@pytest.mark.parametrize("deployable", DEPLOYABLES)
def test_app_worker_and_migration_run_one_image_built_from_the_deployables_dockerfile(
    services, deployable
):
    names = [deployable, f"{deployable}-migrate"]
    names += [worker for worker, owner in WORKERS.items() if owner == deployable]
    assert len({services[name]["image"] for name in names}) == 1
    for name in names:
        build = services[name]["build"]
        assert build["context"] == "."
        assert build["dockerfile"] == DOCKERFILE
        assert build["args"] == {
            "SOURCE": SOURCE_DIRS[deployable],
            "PACKAGE": deployable,
            "PORT": str(DEFAULT_PORTS[deployable]),
        }


@pytest.mark.parametrize("deployable", DEPLOYABLES)
def test_each_process_uses_its_own_postgres_database(services, deployable):
    database = services[f"{deployable}-db"]
    names = [name for name in services if name.split("-")[0] == deployable]
    for name in names:
        if name == f"{deployable}-db":
            continue
        url = environment(services[name])[f"{deployable.upper()}_DATABASE_URL"]
        match = DATABASE_URL.fullmatch(url)
        assert match, f"{name}: {url}"
        assert match["host"] == f"{deployable}-db"
        assert match["db"] == environment(database)["POSTGRES_DB"]
        assert match["user"] == environment(database)["POSTGRES_USER"]


def test_every_database_and_the_broker_has_a_healthcheck(services):
    databases = [
        name for name, service in services.items() if service["image"].startswith("postgres")
    ]
    assert sorted(databases) == sorted(f"{name}-db" for name in DEPLOYABLES)
    for name in [*databases, "rabbitmq"]:
        healthcheck = services[name].get("healthcheck") or {}
        assert healthcheck.get("test") and not healthcheck.get("disable"), name


def test_no_secret_has_a_literal_or_default_value(services):
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key):
                assert REQUIRED_VARIABLE.fullmatch(value), f"{name}: {key}={value}"
            if key.endswith("_DATABASE_URL"):
                password = DATABASE_URL.fullmatch(value)["password"]
                assert REQUIRED_VARIABLE.fullmatch(password), f"{name}: {key}"
    # `${VAR:-default}` anywhere, even outside an environment block, would be a default secret.
    for match in VARIABLE.finditer((ROOT / "docker-compose.yml").read_text()):
        if SECRET_NAME.search(match["name"]):
            assert match["rest"].startswith(":?"), match.group(0)


def test_the_broker_has_the_erp_s_own_login_from_the_secrets(services):
    broker = environment(services["rabbitmq"])
    assert broker["RABBITMQ_DEFAULT_USER"] == "erp"
    assert REQUIRED_VARIABLE.fullmatch(broker["RABBITMQ_DEFAULT_PASS"])
    password = broker["RABBITMQ_DEFAULT_PASS"]
    for name, service in services.items():
        url = environment(service).get("AMQP_URL")
        if url is not None:
            assert url == f"amqp://erp:{password}@rabbitmq:5672/%2F", name


def test_admin_uis_answer_this_host_only(services):
    admin_uis = {"grafana": 3000, "prometheus": 9090, "rabbitmq": 15672}
    for name, port in admin_uis.items():
        assert ("127.0.0.1", port, port) in published_addresses(services[name]), name
    for name, service in services.items():
        if name != "gateway":
            assert {address for address, *_ in published_addresses(service)} <= {"127.0.0.1"}


def test_only_the_gateway_of_the_erp_is_published_on_8080(services):
    assert (8080, DEFAULT_PORTS["gateway"]) in published_ports(services["gateway"])
    for name in [*SERVICES, *WORKERS]:
        assert published_ports(services[name]) == set(), name
    for name in DEPLOYABLES:
        assert published_ports(services[f"{name}-db"]) == set(), name


def test_gateway_finds_every_service_by_its_compose_name(services):
    env = environment(services["gateway"])
    for name in SERVICES:
        assert env[f"{name.upper()}_URL"] == f"http://{name}:{DEFAULT_PORTS[name]}"


def test_every_process_runs_in_production_mode_with_the_secrets_it_needs(services):
    for name in services:
        if name.split("-")[0] in DEPLOYABLES and not name.endswith("-db"):
            assert environment(services[name])["ERP_ENV"] == "production", name
    for name in SERVICES:
        assert environment(services[name])["ERP_JWKS_URL"] == "file:///public/jwks.json", name
        assert "public-keys:/public:ro" in services[name]["volumes"], name
    assert environment(services["gateway"])["ERP_JWT_KEYS_DIR"] == "/keys"
    assert "gateway-keys:/keys:ro" in services["gateway"]["volumes"]
    assert "ERP_ADMIN_PASSWORD" in environment(services["gateway"])


def test_long_running_services_restart_and_every_service_is_resource_limited(services):
    for name, service in services.items():
        one_shot = name.endswith("-migrate") or name == "signing-keys"
        expected = "no" if one_shot else "unless-stopped"
        assert service["restart"] == expected, name
        limits = service["deploy"]["resources"]["limits"]
        assert limits.get("cpus") and limits.get("memory"), name


def test_prometheus_scrapes_every_app_and_every_worker(services):
    mount = "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"
    assert mount in services["prometheus"]["volumes"]
    config = load_yaml(ROOT / "deploy" / "prometheus" / "prometheus.yml")
    scraped = set()
    for job in config["scrape_configs"]:
        if job.get("metrics_path", "/metrics") == "/metrics":
            for group in job.get("static_configs", []):
                scraped.update(group["targets"])
    apps = {f"{name}:{DEFAULT_PORTS[name]}" for name in DEPLOYABLES}
    workers = {f"{name}:{environment(services[name])['WORKER_PORT']}" for name in WORKERS}
    assert apps <= scraped
    assert workers <= scraped


def test_grafana_starts_with_prometheus_as_its_datasource(services):
    mounts = services["grafana"]["volumes"]
    assert any(mount.startswith("./deploy/grafana/provisioning/datasources:") for mount in mounts)
    config = load_yaml(
        ROOT / "deploy" / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
    )
    (datasource,) = config["datasources"]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    assert datasource["isDefault"] is True


def test_the_dockerfile_runs_the_deployable_it_is_given_as_a_non_root_user():
    instructions = runtime_stage()
    last = dict(instructions)
    assert {"SOURCE", "PACKAGE", "PORT"} <= {a for k, a in instructions if k == "ARG"}
    assert last["USER"].split(":")[0] not in ("root", "0")
    # gunicorn's config serves ERP_APP on ERP_HTTP_PORT, which the image sets from the args.
    assert json.loads(last["CMD"]) == ["gunicorn", "-c", "python:erp_shared.gunicorn_conf"]
    env = " ".join(arguments for keyword, arguments in instructions if keyword == "ENV")
    assert "ERP_APP=${PACKAGE}" in env and "ERP_HTTP_PORT=${PORT}" in env
    assert "/health/live" in last["HEALTHCHECK"]
    assert "ERP_HTTP_PORT" in last["HEALTHCHECK"] and "WORKER_PORT" in last["HEALTHCHECK"]


def runtime_stage() -> list[tuple[str, str]]:
    """The instructions of the last stage, the image that ships."""
    instructions = dockerfile()
    start = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[start:]


def test_an_image_started_without_settings_runs_in_production_and_so_refuses_to_start():
    env = " ".join(arguments for keyword, arguments in runtime_stage() if keyword == "ENV")
    assert "ERP_ENV=production" in env.split()


def test_the_image_is_built_in_two_stages_from_one_base_pinned_to_a_patch_release():
    instructions = dockerfile()
    bases = [arguments.split()[0] for keyword, arguments in instructions if keyword == "FROM"]
    # An empty stage the host's wheels replace (--build-context wheels=...), then the build
    # and runtime stages, both from BASE, whose default is a patch release.
    assert bases == ["scratch", "${BASE}", "${BASE}"]
    [default] = [a for k, a in instructions if k == "ARG" and a.startswith("BASE=")]
    assert re.fullmatch(r"BASE=python:3\.11\.\d+-slim-bookworm", default), default


def test_the_runtime_stage_ships_the_virtualenv_and_the_deployable_only():
    build_stage = dockerfile()[: -len(runtime_stage())]
    assert any(k == "RUN" and "pip install" in a for k, a in build_stage)
    runtime = runtime_stage()
    assert not any(keyword == "RUN" and "pip " in arguments for keyword, arguments in runtime)
    copies = [arguments for keyword, arguments in runtime if keyword == "COPY"]
    assert copies == [
        "--from=build /opt/venv /opt/venv",
        "--from=build /app/${SOURCE} /app/${SOURCE}",
    ]
    env = " ".join(arguments for keyword, arguments in runtime if keyword == "ENV")
    # gunicorn's settings come from the environment (erp_shared.config.ServerSettings).
    for variable in ("PATH=/opt/venv/bin:", "WEB_CONCURRENCY=", "GUNICORN_THREADS="):
        assert variable in env


def test_the_dockerfile_keeps_migrations_beside_the_installed_package():
    for source in SOURCE_DIRS.values():
        assert (ROOT / source / "migrations" / "env.py").is_file()
    instructions = dockerfile()
    assert ("COPY", "${SOURCE} /app/${SOURCE}") in instructions
    assert any(
        keyword == "RUN" and "editable_mode=compat -e /app/${SOURCE}" in arguments
        for keyword, arguments in instructions
    )


def test_images_leave_tests_and_test_fixtures_out():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {"**/tests", "testing"} <= set(ignored)


def test_the_dockerfile_gives_prometheus_a_fresh_multiprocess_directory():
    instructions = dockerfile()
    env = " ".join(arguments for keyword, arguments in instructions if keyword == "ENV")
    assert "PROMETHEUS_MULTIPROC_DIR=/tmp/metrics" in env
    entrypoint = json.loads(dict(instructions)["ENTRYPOINT"])
    assert 'mkdir -p "$PROMETHEUS_MULTIPROC_DIR"' in entrypoint[2]
    # The folder's contents go, not the folder: on Kubernetes it is an emptyDir's mount point.
    assert 'find "$PROMETHEUS_MULTIPROC_DIR" -mindepth 1 -delete' in entrypoint[2]
    assert "rm " not in entrypoint[2]
    assert entrypoint[2].endswith('exec "$@"')


def test_prometheus_loads_the_rules_compose_mounts(services):
    mount = "./deploy/prometheus/rules:/etc/prometheus/rules:ro"
    assert mount in services["prometheus"]["volumes"]
    config = load_yaml(ROOT / "deploy" / "prometheus" / "prometheus.yml")
    # Relative to the configuration file, /etc/prometheus/prometheus.yml in the container.
    assert config["rule_files"] == ["rules/*.yml"]
    assert sorted((ROOT / "deploy" / "prometheus" / "rules").glob("*.yml"))


def test_the_broker_makes_quorum_queues_and_can_move_dead_letters(services):
    broker = services["rabbitmq"]
    assert re.fullmatch(r"rabbitmq:\d+\.\d+\.\d+-management", broker["image"])
    volumes = broker["volumes"]
    assert "./deploy/rabbitmq/erp.conf:/etc/rabbitmq/conf.d/20-erp.conf:ro" in volumes
    assert "./deploy/rabbitmq/enabled_plugins:/etc/rabbitmq/enabled_plugins:ro" in volumes
    settings = (ROOT / "deploy" / "rabbitmq" / "erp.conf").read_text().splitlines()
    assert "default_queue_type = quorum" in settings
    plugins = (ROOT / "deploy" / "rabbitmq" / "enabled_plugins").read_text()
    for plugin in ("rabbitmq_management", "rabbitmq_prometheus", "rabbitmq_shovel_management"):
        assert plugin in plugins
