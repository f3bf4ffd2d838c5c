#!/usr/bin/python3
"""The container image, run the way the StatefulSet runs it, against the suite's Kafka broker.

Builds the image with tools/image.sh from the suite's binary (--binary: the test's image holds
the test build, stripped; deployments use tools/image.sh's Release build), then:
  - the manifests and the image agree: k8s/base StatefulSet + ConfigMap vs `podman image inspect`
    (user, group, port, command, config path, state dir, non-root numeric user);
  - `cxpulse run` in the container with the pod's security context (read-only root file system,
    runAsUser/runAsGroup/fsGroup, all capabilities dropped, no privilege escalation, the config
    mounted read-only at the ConfigMap's path, a writable volume at the state dir and the /tmp
    emptyDir) processes a generated workload to the same alerts, signals and states as replay;
  - /readyz and /metrics answer on the container's HTTP port;
  - SIGTERM (as the kubelet sends it) ends it with exit 0 and every input offset committed.
Networking: --network host, so the container reaches the broker at the 127.0.0.1 address it
advertises and serves HTTP on a loopback port (only loopback is used).
`cxpulse outreach` does not exist yet, so it is not exercised here.
Exit 77 (ctest SKIP_RETURN_CODE) with the reason when containers cannot run on this machine.
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import itlib  # noqa: E402

SKIP = 77
PARTITIONS = 4
CUSTOMERS = 1500
HTTP_PORT = int(os.environ.get("CXPULSE_CONTAINER_HTTP_PORT", "19380"))
PODMAN = ["podman", "--runtime", "runc"]  # crun refuses this machine's hybrid cgroup layout


def skip(reason):
    print(f"SKIPPED: {reason}", flush=True)
    sys.exit(SKIP)


def containers_can_run():
    if os.geteuid() != 0:
        skip("needs root (tools/image.sh builds with mmdebstrap --mode=root and rootful podman)")
    missing = [t for t in ("podman", "buildah", "mmdebstrap", "runc") if shutil.which(t) is None]
    if missing:
        skip(f"{', '.join(missing)} not installed (tools/install_deps.sh container)")
    probe = subprocess.run(["unshare", "--mount", "--pid", "--net", "--fork", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        skip(f"no namespaces for containers here: {probe.stderr.strip()[:200]}")
    info = subprocess.run(PODMAN + ["info", "--format", "{{.Host.OCIRuntime.Name}}"],
                          capture_output=True, text=True)
    if info.returncode != 0:
        skip(f"podman cannot work here: {info.stderr.strip()[:300]}")
    # A container of the host's /bin/true (and its libraries), started with the options the
    # test uses: if even that cannot run, containers cannot run here (the image is not to blame).
    import tempfile
    with tempfile.TemporaryDirectory() as rootfs:
        libs = subprocess.run(["ldd", "/bin/true"], capture_output=True, text=True).stdout
        for path in ["/bin/true"] + [w for w in libs.split() if w.startswith("/")]:
            os.makedirs(rootfs + os.path.dirname(path), exist_ok=True)
            shutil.copy(path, rootfs + path)
        os.chmod(rootfs, 0o755)
        probe = subprocess.run(PODMAN + ["run", "--rm", "--network", "host", "--read-only",
                                         "--user", "10001:10001", "--cap-drop", "ALL"]
                               + ulimits() + ["--rootfs", rootfs, "/bin/true"],
                               capture_output=True, text=True)
    if probe.returncode != 0:
        skip(f"containers cannot run here: {probe.stderr.strip()[:300]}")


def yaml_load(path):
    import yaml
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def manifest_checks(checks, image):
    """The StatefulSet and ConfigMap of k8s/base against the image's config."""
    statefulset = yaml_load(os.path.join(ROOT, "k8s", "base", "statefulset.yaml"))
    configmap = yaml_load(os.path.join(ROOT, "k8s", "base", "cxpulse.yaml"))
    kustomization = yaml_load(os.path.join(ROOT, "k8s", "base", "kustomization.yaml"))
    config = image["Config"]
    pod = statefulset["spec"]["template"]["spec"]
    container = next(c for c in pod["containers"] if c["name"] == "cxpulse")
    security = container["securityContext"]
    user, _, group = config.get("User", "").partition(":")
    checks.check("image user is numeric and non-root (runAsNonRoot can verify it)",
                 user.isdigit() and group.isdigit() and int(user) != 0, config.get("User"))
    checks.check("image user:group == runAsUser:runAsGroup",
                 config.get("User") == f"{pod['securityContext']['runAsUser']}:"
                                       f"{pod['securityContext']['runAsGroup']}",
                 f"{config.get('User')} vs {pod['securityContext']}")
    checks.check("fsGroup == image group", str(pod["securityContext"]["fsGroup"]) == group)
    checks.check("pod security: read-only root, no capabilities, no escalation, non-root",
                 security.get("readOnlyRootFilesystem") is True
                 and security.get("capabilities", {}).get("drop") == ["ALL"]
                 and security.get("allowPrivilegeEscalation") is False
                 and pod["securityContext"].get("runAsNonRoot") is True, json.dumps(security))
    port = next(p["containerPort"] for p in container["ports"] if p["name"] == "http")
    listen_port = int(str(configmap["http"]["listen"]).rsplit(":", 1)[1])
    checks.check("containerPort == image's exposed port == ConfigMap http.listen port",
                 list(config.get("ExposedPorts", {})) == [f"{port}/tcp"] and listen_port == port,
                 f"{port} vs {config.get('ExposedPorts')} vs {configmap['http']['listen']}")
    args = container.get("args", [])
    command = config.get("Entrypoint", []) + (args or config.get("Cmd", []))
    checks.check("StatefulSet args == image command",
                 container.get("command") is None and args == config.get("Cmd")
                 and command[:1] == ["/usr/local/bin/cxpulse"], f"{args} vs {config.get('Cmd')}")
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    config_path = args[args.index("--config") + 1]
    generator = next(g for g in kustomization["configMapGenerator"] if g["name"] == "cxpulse-config")
    checks.check("--config is the ConfigMap's file at its read-only mount",
                 os.path.dirname(config_path) == mounts["config"]["mountPath"]
                 and mounts["config"].get("readOnly") is True
                 and os.path.basename(config_path) in generator["files"],
                 f"{config_path} vs {mounts['config']}")
    state_dir = configmap["state"]["dir"]
    checks.check("state volume mount == ConfigMap state.dir == image volume and workdir",
                 mounts["state"]["mountPath"] == state_dir
                 and list(config.get("Volumes", {})) == [state_dir]
                 and config.get("WorkingDir") == state_dir,
                 f"{mounts['state']['mountPath']} vs {state_dir} vs {config.get('Volumes')}")
    checks.check("image labels: version, revision, source",
                 all(config.get("Labels", {}).get(f"org.opencontainers.image.{k}")
                     for k in ("version", "revision", "source")), json.dumps(config.get("Labels")))
    return {"uid": int(user), "gid": int(group), "state_dir": state_dir,
            "config_dir": mounts["config"]["mountPath"], "config_name": os.path.basename(config_path),
            "tmp": "tmp" in mounts, "grace": pod.get("terminationGracePeriodSeconds", 30),
            "args": args, "configmap": configmap}


def http_get(path, timeout=5):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{HTTP_PORT}{path}", timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except OSError:
        return None, ""


class Container:
    """`cxpulse run` in a podman container; same surface as itlib.Processor for the waits."""

    def __init__(self, name):
        self.name = name

    def alive(self):
        out = subprocess.run(PODMAN + ["inspect", "--format", "{{.State.Running}}", self.name],
                             capture_output=True, text=True)
        return out.stdout.strip() == "true"

    def logs(self):
        return subprocess.run(PODMAN + ["logs", self.name], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True).stdout

    def exit_summary(self):
        own = [line for line in self.logs().splitlines() if line and not line.startswith("%")]
        return "container exited:\n" + "\n".join(own[-12:])


def ulimits():
    """Explicit limits within this machine's hard limits: podman's defaults (nofile 1048576,
    nproc 32768+) can exceed what this kind of machine lets runc set (nproc 65536 is refused
    here with a hard limit of 96364)."""
    out = []
    for name, which, cap in (("nofile", resource.RLIMIT_NOFILE, 65536),
                             ("nproc", resource.RLIMIT_NPROC, 16384)):
        hard = resource.getrlimit(which)[1]
        value = cap if hard == resource.RLIM_INFINITY else min(hard, cap)
        out += ["--ulimit", f"{name}={value}:{value}"]
    return out


def main(checks):
    args = itlib.parse_args()
    # The ConfigMap's http.advertised_address is ${POD_IP}:9464 (the StatefulSet sets it); the
    # reference replay below loads the same config.
    os.environ.setdefault("POD_IP", "127.0.0.1")
    started = time.monotonic()
    # A tag of this run's own (removed at the end; the cached base layer stays).
    tag = f"localhost/cxpulse:test-{os.urandom(4).hex()}"
    build = subprocess.run(["bash", os.path.join(ROOT, "tools", "image.sh"), "--binary",
                            args.cxpulse, "--tag", tag, "--out",
                            os.path.join(args.work_dir, "image"), "--no-archive"],
                           capture_output=True, text=True, timeout=900)
    sys.stderr.write(build.stderr[-4000:])
    if not checks.check("tools/image.sh builds the image", build.returncode == 0,
                        f"exit {build.returncode}"):
        return
    image_ref = build.stdout.strip().splitlines()[-1]
    checks.check("tools/image.sh prints the image reference last", image_ref == tag, image_ref)
    itlib.log(f"image {image_ref} built in {time.monotonic() - started:.0f} s")
    try:
        run_image(checks, args, image_ref, started)
    finally:
        subprocess.run(PODMAN + ["rmi", "--force", image_ref], capture_output=True)


def run_image(checks, args, image_ref, started):
    work = os.path.abspath(args.work_dir)  # podman takes a relative path for a volume name
    image = json.loads(itlib.run(PODMAN + ["image", "inspect", image_ref]))[0]
    pod = manifest_checks(checks, image)

    prefix, group = itlib.fresh_topics(args.bootstrap, "container", PARTITIONS)
    # The ConfigMap's config with this test's broker, topics and group; the HTTP port moves to a
    # loopback port of this machine (host network); state.dir, rules and the rest unchanged.
    config = pod["configmap"]
    config["kafka"]["bootstrap_servers"] = args.bootstrap
    config["kafka"]["group_id"] = group
    config["kafka"]["topics"] = {key: prefix + name for name, key in itlib.TOPIC_KEYS.items()}
    config["kafka"]["topics"]["changelog"] = prefix + "cxpulse-changelog"
    config["kafka"]["consumer_properties"]["session.timeout.ms"] = "6000"
    # As in the other live-equals-replay tests: no wall-clock idle watermark, whose timing
    # depends on when the data arrives (with the ConfigMap's 5s one help_dwell alert of ~1900
    # was missing in one run).
    config["kafka"]["idle_watermark_after"] = "0s"
    config["http"]["listen"] = f"127.0.0.1:{HTTP_PORT}"
    config_dir, state_dir = os.path.join(work, "config"), os.path.join(work, "state")
    os.makedirs(config_dir)
    config_path = os.path.join(config_dir, pod["config_name"])
    with open(config_path, "w") as f:
        json.dump(config, f, indent=2)  # JSON is YAML
    os.makedirs(state_dir)
    os.chown(state_dir, 0, pod["gid"])  # a fresh volume as fsGroup leaves it: group-writable
    os.chmod(state_dir, 0o2770)

    # The reference: replay of the same events with the ConfigMap's rules. Without the
    # generator's invalid lines: some of them carry a loose timestamp minutes ahead of the
    # customer's other events, and then live and replay can differ without any container
    # (seed 915886: one customer's effort differs, same with the host binary and the
    # integration tests' config) -- a processor question for its own tests, not the image's.
    lines = itlib.generate(args.cxpulse, os.path.join(work, "generated.jsonl"), CUSTOMERS,
                           args.seed, duplicate_ratio=0.02)
    lines += itlib.tail_events(lines, PARTITIONS)
    input_path = os.path.join(work, "input.jsonl")
    itlib.write_jsonl(input_path, lines)
    expected_alerts, expected_signals, replay_state = itlib.replay(
        args.cxpulse, input_path, os.path.join(work, "replay"), config_path)
    expected_dead = len(itlib.read_jsonl(os.path.join(work, "replay", "dead.jsonl")))
    checks.check("replay produces alerts to compare", len(expected_alerts) > 50,
                 f"only {len(expected_alerts)}")
    itlib.produce(args.bootstrap, input_path, prefix)

    name = "cxpulse-it-" + prefix.split(".")[2]
    subprocess.run(PODMAN + ["rm", "-f", name], capture_output=True)
    run = PODMAN + [
        "run", "--detach", "--name", name, "--network", "host", "--log-driver", "k8s-file",
        "--read-only", "--read-only-tmpfs=false",
        "--user", f"{pod['uid']}:{pod['gid']}", "--group-add", str(pod["gid"]),
        "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "--volume", f"{config_dir}:{pod['config_dir']}:ro",
        "--volume", f"{state_dir}:{pod['state_dir']}:rw",
        "--stop-timeout", str(pod["grace"]),
        "--env", "CXPULSE_INSTANCE_ID=cxpulse-0",
        "--env", "POD_IP=127.0.0.1",  # http.advertised_address: ${POD_IP}:9464, as the StatefulSet
    ] + (["--tmpfs", "/tmp:rw,size=128m"] if pod["tmp"] else []) + ulimits() + [image_ref] + pod["args"]
    itlib.log(" ".join(run))
    itlib.run(run)
    container = Container(name)
    try:
        inspect = json.loads(itlib.run(PODMAN + ["inspect", name]))[0]
        checks.check("container: read-only root, no effective capabilities",
                     inspect["HostConfig"]["ReadonlyRootfs"] is True
                     and not inspect.get("EffectiveCaps"),
                     f"{inspect['HostConfig']['ReadonlyRootfs']} {inspect.get('EffectiveCaps')}")

        def ready():
            if not container.alive():
                raise RuntimeError(container.exit_summary())
            return http_get("/readyz")[0] == 200
        itlib.wait_for("/readyz to answer 200", ready, 120, interval=0.5)
        checks.check("/readyz answers 200 on the container's port", True)
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 240, [container])
        status, body = http_get("/metrics")
        checks.check("/metrics answers with cxpulse metrics",
                     status == 200 and "cxpulse_" in body, f"status {status}, {body[:200]}")
    finally:
        # As the kubelet: the image's stop signal (SIGTERM), SIGKILL after the grace period.
        stopping = time.monotonic()
        subprocess.run(PODMAN + ["stop", "--time", str(pod["grace"]), name], capture_output=True)
        stop_seconds = time.monotonic() - stopping
        code = subprocess.run(PODMAN + ["inspect", "--format", "{{.State.ExitCode}}", name],
                              capture_output=True, text=True).stdout.strip()
        logs = container.logs()
        with open(os.path.join(work, "container.log"), "w") as f:
            f.write(logs)
        subprocess.run(PODMAN + ["rm", "-f", name], capture_output=True)
    checks.check(f"SIGTERM ends the container with exit 0 ({stop_seconds:.1f} s, grace "
                 f"{pod['grace']} s)", code == "0" and stop_seconds < pod["grace"]
                 and "run: stopped cleanly" in logs, f"exit {code}: {logs[-1500:]}")
    progress = itlib.input_progress(args.bootstrap, group, prefix, PARTITIONS)
    checks.check("every input offset committed at exit",
                 all(c >= h for c, h in progress.values()), str(progress))

    alerts, signals, dead = itlib.read_outputs(args.bootstrap, prefix, work)
    diff = itlib.multiset_diff(alerts, expected_alerts)
    checks.check(f"container alerts == replay alerts ({len(alerts)})", not diff, diff)
    diff = itlib.multiset_diff(signals, expected_signals)
    checks.check(f"container signals == replay signals ({len(signals)})", not diff, diff)
    checks.check(f"container dead letters == replay's ({len(dead)})", len(dead) == expected_dead,
                 f"{len(dead)} vs {expected_dead}")
    owners = {os.stat(os.path.join(d, f)).st_uid
              for d, _, files in os.walk(state_dir) for f in files}
    checks.check("state written by the image's user into the volume", owners == {pod["uid"]},
                 str(owners))
    customers = itlib.sample(itlib.customers_of(lines), 100, args.seed)
    diffs = itlib.compare_states(args.cxpulse, customers, [state_dir], replay_state,
                                 config_path)
    checks.check(f"customer states in the volume equal replay's ({len(customers)} sampled)",
                 not diffs, "\n  ".join(diffs[:5]))
    itlib.log(f"container test took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    containers_can_run()
    itlib.run_test(main, itlib.Checks())
