#!/usr/bin/python3
"""cxpulse against a broker that only lets it in over TLS with SASL/SCRAM-SHA-512 (issue 14,
"Security"): the production way to reach Kafka (k8s/overlays/prod, docs/operations.md "Secrets").

The test starts a broker of its own (tools/kafka/broker.sh with KAFKA_EXTRA_PROPERTIES and
KAFKA_FORMAT_ARGS; data in <kafka-dir>-security) with a SASL_SSL listener on
CXPULSE_IT_KAFKA_SECURE_PORT (default 19197) whose certificate is signed by a CA made here with
openssl, SCRAM credentials created when the storage is formatted, and the JAAS config of the
listener in server.properties. A PLAINTEXT listener on the next port serves only the test's own
admin, producer and readers. cxpulse gets the secure port alone, `kafka.properties` with
security.protocol, sasl.mechanism, ssl.ca.location, and the user and password as ${ENV} (never in
the file). Checked:
- `cxpulse run` processes 300 generated customers: alerts and signals equal `cxpulse replay`'s;
- `cxpulse outreach` over the same listener folds the alerts into one case per customer;
- a wrong password, an untrusted CA (run and outreach) each end in one `cxpulse:` line naming
  the cause, exit 1, well before kafka.startup_timeout (60 s here; before the fix they waited
  for it and then blamed "Broker transport failure"), no stack trace;
- a password written into the config file is refused by --dry-run (exit 2);
- the password never appears in any log.
"""
import json
import os
import subprocess
import time

import itlib
from itlib import log

PARTITIONS = 2
CUSTOMERS = 300
USER = "cxpulse-it"
PASSWORD = "it-s3cret-Pw"
REP_TOKEN = "tok-ana-security"
STARTUP_TIMEOUT_S = 60
HERE = os.path.dirname(os.path.abspath(__file__))
BROKER_SH = os.path.join(HERE, "..", "..", "tools", "kafka", "broker.sh")


def openssl(*arguments):
    subprocess.run(["openssl", *arguments], check=True, capture_output=True, timeout=60)


def make_certificates(work):
    """A CA, a broker certificate it signs (for 127.0.0.1) in a PKCS#12 keystore, and a second
    CA that signed nothing. Returns (ca.crt, keystore, keystore password, other CA)."""
    d = os.path.join(work, "tls")
    os.makedirs(d)
    p = lambda name: os.path.join(d, name)  # noqa: E731
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", f"/CN=cxpulse-it-{ca}", "-keyout", p(f"{ca}.key"), "-out", p(f"{ca}.crt"))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", p("broker.key"), "-out", p("broker.csr"))
    with open(p("ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", p("broker.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
            "-CAcreateserial", "-days", "2", "-extfile", p("ext.cnf"), "-out", p("broker.crt"))
    store_password = "it-keystore-pw"
    openssl("pkcs12", "-export", "-in", p("broker.crt"), "-inkey", p("broker.key"),
            "-certfile", p("ca.crt"), "-out", p("broker.p12"), "-passout", f"pass:{store_password}")
    return p("ca.crt"), p("broker.p12"), store_password, p("other-ca.crt")


class SecureBroker:
    """A single-node broker: SASL_SSL (SCRAM-SHA-512) on `port`, PLAINTEXT on port + 1 (the
    test's own clients), the KRaft controller on port + 2."""

    def __init__(self, kafka_dir, port, keystore, store_password):
        self.secure = f"127.0.0.1:{port}"
        self.plain = f"127.0.0.1:{port + 1}"
        extra = kafka_dir + ".properties"
        os.makedirs(os.path.dirname(extra), exist_ok=True)
        with open(extra, "w") as f:
            f.write(f"""listeners=PLAINTEXT://{self.plain},SASL_SSL://{self.secure},CONTROLLER://127.0.0.1:{port + 2}
advertised.listeners=PLAINTEXT://{self.plain},SASL_SSL://{self.secure}
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location={keystore}
ssl.keystore.password={store_password}
ssl.key.password={store_password}
""")
        self.env = dict(os.environ, KAFKA_DIR=kafka_dir, KAFKA_PORT=str(port + 1),
                        KAFKA_CONTROLLER_PORT=str(port + 2), KAFKA_HEAP="384m",
                        KAFKA_EXTRA_PROPERTIES=extra,
                        KAFKA_FORMAT_ARGS=("--add-scram "
                                           f"SCRAM-SHA-512=[name={USER},password={PASSWORD}]"))

    def broker_sh(self, command, timeout=180):
        result = subprocess.run(["bash", BROKER_SH, command], env=self.env, capture_output=True,
                                text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"broker.sh {command}: {result.stdout}{result.stderr}"[-3000:])
        return result.stdout.strip()


def security_properties(ca):
    return {"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": "${IT_KAFKA_USER}", "sasl.password": "${IT_KAFKA_PASSWORD}",
            "ssl.ca.location": ca}


def secret_env(password=PASSWORD):
    return {"IT_KAFKA_USER": USER, "IT_KAFKA_PASSWORD": password, "IT_TOKEN_ANA": REP_TOKEN}


def run_config(work, name, broker, group, prefix, ca):
    return itlib.write_config(os.path.join(work, f"{name}.yaml"),
                              os.path.join(work, f"state-{name}"), broker.secure, group, prefix, name,
                              extra_kafka={"properties": security_properties(ca),
                                           "startup_timeout": f"{STARTUP_TIMEOUT_S}s"})


def outreach_config(work, name, broker, group, prefix, ca):
    config = {
        "kafka": {"bootstrap_servers": broker.secure, "group_id": group,
                  "startup_timeout": f"{STARTUP_TIMEOUT_S}s",
                  "properties": security_properties(ca)},
        "outreach": {
            "topics": {"alerts": prefix + "cx.alerts", "commands": prefix + "cx.outreach"},
            "listen": f"127.0.0.1:{itlib.free_port()}",
            "reps": [{"name": "ana", "token_env": "IT_TOKEN_ANA"}],
        },
    }
    path = os.path.join(work, f"{name}.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return path


def check_refused(checks, cxpulse, command, config, env, work, name, cause):
    """`cxpulse <command>` must exit 1 soon with one `cxpulse:` line naming `cause`."""
    log_path = os.path.join(work, f"{name}.log")
    started = time.monotonic()
    with open(log_path, "w") as out:
        proc = subprocess.run([cxpulse, command, "--config", config], stdout=out,
                              stderr=subprocess.STDOUT, env=dict(os.environ, **env),
                              timeout=STARTUP_TIMEOUT_S + 60)
    took = time.monotonic() - started
    with open(log_path, errors="replace") as f:
        text = f.read()
    lines = text.splitlines()
    own = [line for line in lines if line.startswith("cxpulse:")]
    checks.check(f"{name}: exit 1", proc.returncode == 1, f"exit {proc.returncode}\n{text[-1500:]}")
    checks.check(f"{name}: gives up at once ({took:.1f} s, startup_timeout {STARTUP_TIMEOUT_S} s)",
                 took < 20, text[-1500:])
    checks.check(f"{name}: one `cxpulse:` line naming the cause ({cause})",
                 len(own) == 1 and "cannot connect to broker" in own[0] and cause in own[0],
                 "\n".join(own) or text[-1500:])
    log(f"{name}: {own[0] if own else '(no cxpulse: line)'}"[:400])
    checks.check(f"{name}: no stack trace, no abort",
                 not any(s in text for s in ("terminate called", "Traceback", "Aborted",
                                             "Segmentation", "stack trace")), text[-1500:])


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    port = int(os.environ.get("CXPULSE_IT_KAFKA_SECURE_PORT", "19197"))
    ca, keystore, store_password, other_ca = make_certificates(work)
    broker = SecureBroker((args.kafka_dir or os.path.join(work, "kafka")) + "-security", port,
                          keystore, store_password)
    broker.broker_sh("clean")
    started = time.monotonic()
    log(broker.broker_sh("start"))
    log(f"SASL_SSL broker up in {time.monotonic() - started:.1f} s: {broker.secure} "
        f"(PLAINTEXT for the test's own clients: {broker.plain})")
    try:
        args.bootstrap = broker.plain  # the test's admin, producer, progress and readers
        lines, input_path, reference = itlib.prepare_input(args, CUSTOMERS, PARTITIONS)
        prefix, group = itlib.fresh_topics(broker.plain, "security", PARTITIONS)
        itlib.create_topics(broker.plain, prefix, PARTITIONS, ["cx.outreach"])
        itlib.produce(broker.plain, input_path, prefix)

        # Refusals first: nothing joins the group or writes anything.
        check_refused(checks, args.cxpulse, "run", run_config(work, "wrong-password", broker,
                      group, prefix, ca), secret_env("not-the-password"), work,
                      "run-wrong-password", "SASL authentication failed")
        check_refused(checks, args.cxpulse, "run", run_config(work, "untrusted-ca", broker, group,
                      prefix, other_ca), secret_env(), work, "run-untrusted-ca",
                      "certificate verify failed")
        check_refused(checks, args.cxpulse, "outreach", outreach_config(
            work, "outreach-wrong-password", broker, group, prefix, ca),
            secret_env("not-the-password"), work, "outreach-wrong-password",
            "SASL authentication failed")
        check_refused(checks, args.cxpulse, "outreach", outreach_config(
            work, "outreach-untrusted-ca", broker, group, prefix, other_ca), secret_env(), work,
            "outreach-untrusted-ca", "certificate verify failed")

        # A password in the file itself: refused before anything connects.
        literal = os.path.join(work, "literal-password.json")
        with open(run_config(work, "literal", broker, group, prefix, ca)) as f:
            config = json.load(f)
        config["kafka"]["properties"]["sasl.password"] = PASSWORD
        with open(literal, "w") as f:
            json.dump(config, f)
        result = subprocess.run([args.cxpulse, "run", "--config", literal, "--dry-run"],
                                capture_output=True, text=True, timeout=60,
                                env=dict(os.environ, **secret_env()))
        checks.check("a password written in the config: --dry-run exits 2 with one line",
                     result.returncode == 2 and "sasl.password: a secret must come from the "
                     "environment" in result.stderr and len(result.stderr.splitlines()) == 1
                     and PASSWORD not in result.stderr,
                     f"exit {result.returncode}: {result.stderr[-800:]}")

        processor = itlib.Processor(args.cxpulse, run_config(work, "p0", broker, group, prefix, ca),
                                    os.path.join(work, "run.log"), env=secret_env())
        outreach = itlib.Outreach(args.cxpulse, outreach_config(work, "outreach", broker, group,
                                                                 prefix, ca),
                                  os.path.join(work, "outreach.log"), env=secret_env())
        try:
            outreach.start()
            outreach.wait_ready()
            checks.check("cxpulse outreach connects over SASL_SSL (/readyz)", True)
            codes = itlib.run_until_caught_up(args, group, prefix, PARTITIONS, [processor])
            checks.check("cxpulse run over SASL_SSL stops cleanly", codes == [0], f"exit {codes}")
            alerts, _, _ = itlib.check_equals_replay(checks, args, prefix, reference,
                                                     expected_dead=0)
            customers = {json.loads(a)["customer_id"] for a in alerts}

            def folded():
                status, body = itlib.http_call(outreach.listen(), "/cases", headers={
                    "Authorization": f"Bearer {REP_TOKEN}"})
                if status != 200:
                    return None
                cases = json.loads(body)["cases"]
                return cases if {c["customer_id"] for c in cases} == customers else None
            cases = itlib.wait_for("the outreach service to fold every alert", folded, 60, 0.5)
            checks.check(f"outreach: one case per customer with alerts ({len(cases)})",
                         len(cases) == len(customers) and len(customers) > 0)
        finally:
            code = outreach.stop()
            checks.check("cxpulse outreach over SASL_SSL stops cleanly", code == 0, str(code))
            processor.stop()

        leaked = []
        for name in sorted(os.listdir(work)):
            if name.endswith(".log"):
                with open(os.path.join(work, name), errors="replace") as f:
                    if PASSWORD in f.read():
                        leaked.append(name)
        checks.check("the password is in no log", not leaked, ", ".join(leaked))
    finally:
        log(broker.broker_sh("stop"))


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
