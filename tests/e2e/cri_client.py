#!/usr/bin/env python3
"""A minimal CRI client for the ocigate end-to-end tests (there is no crictl package in Debian 12).

It speaks runtime.v1 over containerd's gRPC socket with python3-grpcio and modules generated from
tests/e2e/cri/api.proto (python3 -m grpc_tools.protoc, into a temporary directory given by --gen).

usage: cri_client.py --socket PATH --gen DIR version
       cri_client.py --socket PATH --gen DIR image-id REF
       cri_client.py --socket PATH --gen DIR scenario SPEC.json     (prints a JSON result)
       cri_client.py --socket PATH --gen DIR cleanup                (stop + remove every pod)
       cri_client.py --socket PATH --gen DIR bench SPEC.json        (container start timings, see bench())

scenario SPEC (JSON):
  {"pod": {"name": "p", "namespace": "default", "uid": "u", "annotations": {...},
           "labels": {...}, "log_directory": "/abs/dir", "network": "node"|"pod"},
   "container": {"name": "c", "image": "ref", "command": [...], "args": [...],
                 "readonly_rootfs": true, "drop": ["ALL"], "add": [], "no_new_privs": true,
                 "seccomp": "runtime/default"|"unconfined"|"localhost/PATH",
                 "run_as_user": 1000, "privileged": false, "annotations": {...},
                 "masked_paths": [...], "readonly_paths": [...]   (default: what the kubelet sends),
                 "mounts": [{"host_path": "/x", "container_path": "/y", "readonly": true}]},
   "wait_exit_seconds": 10, "wait_for_log": "TEXT", "keep": false}
It runs RunPodSandbox, CreateContainer, StartContainer, then polls ContainerStatus until the
container exited, its log has TEXT, or the wait ran out, reads the container log, and unless "keep" is true stops
and removes the container and the pod whatever happened. Result:
  {"pod_id", "container_id", "start_ok", "start_error", "state", "exit_code", "reason", "message",
   "image_ref", "log", "spec_annotations" (the annotations of the OCI spec containerd generated,
   i.e. what ocigate saw), "error" (a failure before StartContainer), "cleanup_errors": [...]}
Exit status: 0 when the scenario ran (whatever StartContainer answered), 2 on a usage or setup error.
"""
import argparse
import json
import os
import signal
import sys
import time

RPC_TIMEOUT = 30

# What the kubelet sends for a non-privileged container with procMount Default
# (k8s.io/kubernetes pkg/securitycontext: defaultMaskedPaths, defaultReadonlyPaths). containerd
# uses these lists as they come and an empty list means nothing masked, so a client that leaves
# them out does not describe a real Kubernetes pod.
KUBELET_MASKED_PATHS = ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]
KUBELET_READONLY_PATHS = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                          "/proc/sysrq-trigger"]


def load_modules(gen):
    sys.path.insert(0, gen)
    import grpc  # noqa: F401  (python3-grpcio)
    import api_pb2
    import api_pb2_grpc
    return grpc, api_pb2, api_pb2_grpc


def rpc_error_text(err):
    """The server's message of a grpc.RpcError (what a kubelet would show), or str(err)."""
    try:
        return "%s: %s" % (err.code().name, err.details())
    except Exception:  # pragma: no cover - not an RpcError
        return str(err)


def profile(pb, text):
    if text in ("", None):
        return None
    if text == "runtime/default":
        return pb.SecurityProfile(profile_type=pb.SecurityProfile.RuntimeDefault)
    if text == "unconfined":
        return pb.SecurityProfile(profile_type=pb.SecurityProfile.Unconfined)
    if text.startswith("localhost/"):
        return pb.SecurityProfile(profile_type=pb.SecurityProfile.Localhost,
                                  localhost_ref=text[len("localhost/"):])
    raise ValueError("unknown seccomp profile %r" % text)


def pod_config(pb, p):
    ns_mode = {"node": pb.NODE, "pod": pb.POD}[p.get("network", "node")]
    cfg = pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=p["name"], uid=p["uid"], namespace=p.get("namespace", "default")),
        log_directory=p.get("log_directory", ""),
        labels=p.get("labels", {}),
        annotations=p.get("annotations", {}),
        linux=pb.LinuxPodSandboxConfig(security_context=pb.LinuxSandboxSecurityContext(
            namespace_options=pb.NamespaceOption(network=ns_mode, pid=pb.CONTAINER, ipc=pb.POD))))
    # A host-network pod has no hostname of its own (containerd refuses one).
    if ns_mode != pb.NODE:
        cfg.hostname = p["name"]
    return cfg


def container_config(pb, c):
    sc = pb.LinuxContainerSecurityContext(
        capabilities=pb.Capability(add_capabilities=c.get("add", []), drop_capabilities=c.get("drop", [])),
        privileged=c.get("privileged", False),
        readonly_rootfs=c.get("readonly_rootfs", False),
        no_new_privs=c.get("no_new_privs", False),
        namespace_options=pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER, ipc=pb.POD))
    if not c.get("privileged", False):
        sc.masked_paths.extend(c.get("masked_paths", KUBELET_MASKED_PATHS))
        sc.readonly_paths.extend(c.get("readonly_paths", KUBELET_READONLY_PATHS))
    if "run_as_user" in c:
        sc.run_as_user.CopyFrom(pb.Int64Value(value=c["run_as_user"]))
    prof = profile(pb, c.get("seccomp"))
    if prof is not None:
        sc.seccomp.CopyFrom(prof)
    return pb.ContainerConfig(
        metadata=pb.ContainerMetadata(name=c["name"]),
        image=pb.ImageSpec(image=c["image"]),
        command=c.get("command", []),
        args=c.get("args", []),
        annotations=c.get("annotations", {}),
        labels=c.get("labels", {}),
        log_path=c["name"] + ".log",
        mounts=[pb.Mount(host_path=m["host_path"], container_path=m["container_path"],
                         readonly=m.get("readonly", False)) for m in c.get("mounts", [])],
        linux=pb.LinuxContainerConfig(security_context=sc))


def spec_annotations(resp):
    """The annotations of the OCI spec containerd generated (what ocigate read), from the verbose
    ContainerStatus info ({"info": "{... \"runtimeSpec\": {...}}"}); {} when not available."""
    try:
        return json.loads(resp.info["info"]).get("runtimeSpec", {}).get("annotations", {}) or {}
    except (KeyError, ValueError, AttributeError):
        return {}


def read_log(path):
    """The CRI log's payload lines ('TIME STREAM TAG payload' per line) joined."""
    try:
        with open(path, "r", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return ""
    out = []
    for line in lines:
        parts = line.split(" ", 3)
        out.append(parts[3] if len(parts) == 4 else line)
    return "\n".join(out)


def scenario(grpc, pb, rt, spec):
    res = {"pod_id": "", "container_id": "", "start_ok": False, "start_error": "", "state": "",
           "exit_code": None, "reason": "", "message": "", "image_ref": "", "log": "", "error": "", "spec_annotations": {},
           "cleanup_errors": []}
    pcfg = pod_config(pb, spec["pod"])
    timings = res["timings"] = {}
    t0 = time.monotonic()

    def lap(name):
        nonlocal t0
        now = time.monotonic()
        timings[name] = round(now - t0, 3)
        t0 = now
    try:
        try:
            res["pod_id"] = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=pcfg),
                                             timeout=RPC_TIMEOUT).pod_sandbox_id
            lap("RunPodSandbox")
        except grpc.RpcError as err:
            res["error"] = "RunPodSandbox: " + rpc_error_text(err)
            return res
        try:
            res["container_id"] = rt.CreateContainer(pb.CreateContainerRequest(
                pod_sandbox_id=res["pod_id"], config=container_config(pb, spec["container"]),
                sandbox_config=pcfg), timeout=RPC_TIMEOUT).container_id
            lap("CreateContainer")
        except grpc.RpcError as err:
            res["error"] = "CreateContainer: " + rpc_error_text(err)
            return res
        try:
            rt.StartContainer(pb.StartContainerRequest(container_id=res["container_id"]), timeout=RPC_TIMEOUT)
            res["start_ok"] = True
        except grpc.RpcError as err:
            res["start_error"] = rpc_error_text(err)
        lap("StartContainer")
        deadline = time.monotonic() + float(spec.get("wait_exit_seconds", 10))
        want_log = spec.get("wait_for_log", "") if res["start_ok"] else ""
        while True:
            resp = rt.ContainerStatus(pb.ContainerStatusRequest(container_id=res["container_id"], verbose=True),
                                      timeout=RPC_TIMEOUT)
            st = resp.status
            if st.state == pb.CONTAINER_EXITED or time.monotonic() > deadline:
                break
            # containerd can take seconds to report a quick exit (its exit event goes through a
            # retry back-off when it races the start); the output is what the tests need.
            if want_log and st.log_path and want_log in read_log(st.log_path):
                break
            time.sleep(0.1)
        res["spec_annotations"] = spec_annotations(resp)
        lap("wait")
        res["state"] = pb.ContainerState.Name(st.state)
        res["exit_code"] = st.exit_code
        res["reason"] = st.reason
        res["message"] = st.message
        res["image_ref"] = st.image_ref
        if st.log_path:
            res["log"] = read_log(st.log_path)
        return res
    finally:
        if not spec.get("keep"):
            cleanup_pod(grpc, pb, rt, res)


def cleanup_pod(grpc, pb, rt, res):
    timings = res.setdefault("timings", {})
    steps = []
    if res["container_id"]:
        steps += [("StopContainer", lambda: rt.StopContainer(
                      pb.StopContainerRequest(container_id=res["container_id"], timeout=0), timeout=RPC_TIMEOUT)),
                  ("RemoveContainer", lambda: rt.RemoveContainer(
                      pb.RemoveContainerRequest(container_id=res["container_id"]), timeout=RPC_TIMEOUT))]
    if res["pod_id"]:
        steps += [("StopPodSandbox", lambda: rt.StopPodSandbox(
                      pb.StopPodSandboxRequest(pod_sandbox_id=res["pod_id"]), timeout=RPC_TIMEOUT)),
                  ("RemovePodSandbox", lambda: rt.RemovePodSandbox(
                      pb.RemovePodSandboxRequest(pod_sandbox_id=res["pod_id"]), timeout=RPC_TIMEOUT))]
    for name, call in steps:
        t0 = time.monotonic()
        try:
            call()
        except grpc.RpcError as err:
            res["cleanup_errors"].append(name + ": " + rpc_error_text(err))
        timings[name] = round(time.monotonic() - t0, 3)


# ---------------------------------------------------------------- bench (tests/bench/cri.sh)

class BenchError(Exception):
    """A CRI answer that makes the figures meaningless (a refused or failed start, a wrong spec)."""


def bench(grpc, pb, rt, spec):
    """Time container starts in existing pods, one pod per runtime handler (docs/benchmarks.md).

    SPEC: {"variants": [{"key": "none", "handler": "bench-none", "hook": null|"/path"}, ...],
           "pod": {pod_config fields; name and uid get the variant's key appended},
           "container": {container_config fields; name gets "-<n>" appended},
           "refused_container": {fields merged into "container" for the control run of the
                                 variants with "control": true: must be refused by their hook},
           "runs": 40, "rounds": 4, "pod_runs": 5, "wait_exit_seconds": 10}
    1. pod starts: pod_runs RunPodSandbox per variant, interleaved (none, true, ocigate, none, ...),
       each timed; all but the last pod of each variant are stopped and removed (untimed);
    2. checks, untimed: one container per variant must run and exit 0, and the OCI spec containerd
       generated must carry exactly the variant's createRuntime hook; a variant with "control"
       must refuse the refused_container (so its hook really runs and decides);
    3. rounds: runs/rounds times per round, the variants in turn (none, true, ocigate, none, ...):
       CreateContainer + StartContainer timed (the figure), then untimed: wait for the exit
       (polling ContainerStatus), RemoveContainer. Each round's figures are one row per variant.
    Prints data.tsv rows (key, label, runs, median_us, min_us, max_us, 0, fails) on stdout:
    cri_V_rR (Create+Start), cri_start_V_rR (StartContainer alone), cri_pod_V (RunPodSandbox).
    A container that does not exit in time or exits non-zero counts as a fail. Every pod and
    container made here is removed before returning, whatever happened.
    """
    variants = spec["variants"]
    runs, rounds = int(spec.get("runs", 40)), int(spec.get("rounds", 4))
    pod_runs = max(1, int(spec.get("pod_runs", 5)))
    wait_s = float(spec.get("wait_exit_seconds", 10))
    per_round = max(1, runs // rounds)
    pods = {}            # variant key -> (pod id, pod config) of the long-lived pod
    live_pods = set()    # every pod not yet removed
    live_ctrs = set()    # every container not yet removed
    counter = [0]
    rows = []

    def median(samples):
        ss, n = sorted(samples), len(samples)
        return ss[n // 2] if n % 2 else (ss[n // 2 - 1] + ss[n // 2]) // 2

    def row(key, label, samples, fails=0):
        rows.append("%s\t%s\t%d\t%d\t%d\t%d\t0\t%d" % (key, label, len(samples), median(samples), min(samples),
                                                         max(samples), fails))

    def call(what, fn, *a):
        try:
            return fn(*a, timeout=RPC_TIMEOUT)
        except grpc.RpcError as err:
            raise BenchError("%s: %s" % (what, rpc_error_text(err)))

    def remove_pod(pid):
        call("StopPodSandbox", rt.StopPodSandbox, pb.StopPodSandboxRequest(pod_sandbox_id=pid))
        call("RemovePodSandbox", rt.RemovePodSandbox, pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
        live_pods.discard(pid)

    def run_pod(v, n):
        p = dict(spec["pod"], name="%s-%s-%d" % (spec["pod"]["name"], v["key"], n),
                 uid="%s-%s-%d" % (spec["pod"]["uid"], v["key"], n))
        if p.get("log_directory"):
            p["log_directory"] = os.path.join(p["log_directory"], p["name"])
            os.makedirs(p["log_directory"], exist_ok=True)
        cfg = pod_config(pb, p)
        t0 = time.monotonic_ns()
        pid = call("RunPodSandbox (%s)" % v["key"], rt.RunPodSandbox,
                   pb.RunPodSandboxRequest(config=cfg, runtime_handler=v["handler"])).pod_sandbox_id
        dt = (time.monotonic_ns() - t0) // 1000
        live_pods.add(pid)
        return pid, cfg, dt

    def create_start(v, extra=None):
        """CreateContainer + StartContainer in the variant's pod: (id, us for both, us for Start,
        the Start error or None)."""
        pid, pcfg = pods[v["key"]]
        counter[0] += 1
        c = dict(spec["container"], **(extra or {}))
        c["name"] = "%s-%d" % (c["name"], counter[0])
        ccfg = container_config(pb, c)
        t0 = time.monotonic_ns()
        cid = call("CreateContainer (%s)" % v["key"], rt.CreateContainer, pb.CreateContainerRequest(
            pod_sandbox_id=pid, config=ccfg, sandbox_config=pcfg)).container_id
        live_ctrs.add(cid)
        t1 = time.monotonic_ns()
        err = None
        try:
            rt.StartContainer(pb.StartContainerRequest(container_id=cid), timeout=RPC_TIMEOUT)
        except grpc.RpcError as e:
            err = rpc_error_text(e)
        t2 = time.monotonic_ns()
        return cid, (t2 - t0) // 1000, (t2 - t1) // 1000, err

    def wait_exit(cid, verbose=False):
        """Poll until the container exited or wait_exit_seconds ran out: the last status response."""
        deadline = time.monotonic() + wait_s
        while True:
            resp = call("ContainerStatus", rt.ContainerStatus,
                        pb.ContainerStatusRequest(container_id=cid, verbose=verbose))
            if resp.status.state == pb.CONTAINER_EXITED or time.monotonic() > deadline:
                return resp
            time.sleep(0.005)

    def remove_ctr(cid, running):
        if running:
            call("StopContainer", rt.StopContainer, pb.StopContainerRequest(container_id=cid, timeout=0))
        call("RemoveContainer", rt.RemoveContainer, pb.RemoveContainerRequest(container_id=cid))
        live_ctrs.discard(cid)

    def finish(cid):
        """Untimed: wait for the exit and remove the container; False when it did not exit 0 in time."""
        st = wait_exit(cid).status
        exited = st.state == pb.CONTAINER_EXITED
        remove_ctr(cid, not exited)
        return exited and st.exit_code == 0

    try:
        # 1. pod starts
        pod_samples = {v["key"]: [] for v in variants}
        for n in range(pod_runs):
            for v in variants:
                pid, cfg, dt = run_pod(v, n)
                pod_samples[v["key"]].append(dt)
                if n < pod_runs - 1:
                    remove_pod(pid)
                else:
                    pods[v["key"]] = (pid, cfg)
        # 2. checks
        for v in variants:
            cid, _, _, err = create_start(v)
            if err:
                raise BenchError("StartContainer (%s, check run): %s" % (v["key"], err))
            resp = wait_exit(cid, verbose=True)
            st = resp.status
            if st.state != pb.CONTAINER_EXITED or st.exit_code != 0:
                raise BenchError("check run (%s): state %s, exit code %d, reason %r" % (
                    v["key"], pb.ContainerState.Name(st.state), st.exit_code, st.reason))
            try:
                hooks = json.loads(resp.info["info"]).get("runtimeSpec", {}).get("hooks") or {}
            except (KeyError, ValueError) as e:
                raise BenchError("check run (%s): no runtime spec in the verbose status (%s)" % (v["key"], e))
            got = [h.get("path") for h in hooks.get("createRuntime", [])]
            want = [v["hook"]] if v.get("hook") else []
            if got != want or set(hooks) - {"createRuntime"}:
                raise BenchError("check run (%s): the spec's hooks are %s, expected createRuntime %s" % (
                    v["key"], json.dumps(hooks), want))
            remove_ctr(cid, False)
            if v.get("control"):
                cid, _, _, err = create_start(v, spec["refused_container"])
                if not err or "ocigate" not in err:
                    raise BenchError("control (%s): the non-compliant container was not refused by the hook: %s" % (
                        v["key"], err or "StartContainer succeeded"))
                remove_ctr(cid, False)
        # 3. the timed rounds; inside a round the variants alternate start by start
        for r in range(1, rounds + 1):
            pair = {v["key"]: [] for v in variants}
            start = {v["key"]: [] for v in variants}
            fails = {v["key"]: 0 for v in variants}
            for _ in range(per_round):
                for v in variants:
                    cid, dt, ds, err = create_start(v)
                    if err:
                        raise BenchError("StartContainer (%s, round %d): %s" % (v["key"], r, err))
                    pair[v["key"]].append(dt)
                    start[v["key"]].append(ds)
                    if not finish(cid):
                        fails[v["key"]] += 1
            for v in variants:
                k = v["key"]
                row("cri_%s_r%d" % (k, r), "CRI CreateContainer + StartContainer, hook: %s (round %d)" % (k, r),
                    pair[k], fails[k])
                row("cri_start_%s_r%d" % (k, r), "CRI StartContainer alone, hook: %s (round %d)" % (k, r), start[k])
                print("cri_client: %-8s round %d: median %.1f ms (StartContainer %.1f ms), %d fails" % (
                    k, r, median(pair[k]) / 1000, median(start[k]) / 1000, fails[k]), file=sys.stderr)
        for v in variants:
            row("cri_pod_%s" % v["key"], "CRI RunPodSandbox, handler with hook: %s" % v["key"],
                pod_samples[v["key"]])
        return rows
    finally:
        errors = []
        for cid in list(live_ctrs):
            try:
                remove_ctr(cid, True)
            except BenchError as e:
                errors.append(str(e))
        for pid in list(live_pods):
            try:
                remove_pod(pid)
            except BenchError as e:
                errors.append(str(e))
        for e in errors:
            print("cri_client bench cleanup: " + e, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description="minimal CRI client for the ocigate e2e tests")
    ap.add_argument("--socket", required=True)
    ap.add_argument("--gen", required=True, help="directory with the generated api_pb2 modules")
    ap.add_argument("command", choices=["version", "image-id", "pull", "scenario", "cleanup", "bench"])
    ap.add_argument("arg", nargs="?")
    a = ap.parse_args()
    try:
        grpc, pb, pb_grpc = load_modules(a.gen)
    except ImportError as err:
        print("cri_client: %s (needs python3-grpcio and the generated modules)" % err, file=sys.stderr)
        return 2
    ch = grpc.insecure_channel("unix://" + os.path.abspath(a.socket))
    rt = pb_grpc.RuntimeServiceStub(ch)
    try:
        if a.command == "version":
            v = rt.Version(pb.VersionRequest(version="v1"), timeout=RPC_TIMEOUT)
            print("%s %s %s" % (v.runtime_name, v.runtime_version, v.runtime_api_version))
        elif a.command == "image-id":
            img = pb_grpc.ImageServiceStub(ch).ImageStatus(
                pb.ImageStatusRequest(image=pb.ImageSpec(image=a.arg)), timeout=RPC_TIMEOUT).image
            if not img.id:
                print("cri_client: image %s not found" % a.arg, file=sys.stderr)
                return 1
            print(img.id)
        elif a.command == "pull":
            # ImageService.PullImage, as the kubelet pulls: prints the image ref (its ID).
            ref = pb_grpc.ImageServiceStub(ch).PullImage(
                pb.PullImageRequest(image=pb.ImageSpec(image=a.arg)), timeout=120).image_ref
            print(ref)
        elif a.command == "scenario":
            with open(a.arg) as f:
                spec = json.load(f)
            print(json.dumps(scenario(grpc, pb, rt, spec), sort_keys=True))
        elif a.command == "bench":
            with open(a.arg) as f:
                spec = json.load(f)
            # A timeout's SIGTERM ends the run through bench()'s cleanup, not around it.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
            try:
                rows = bench(grpc, pb, rt, spec)
            except BenchError as err:
                print("cri_client bench: %s" % err, file=sys.stderr)
                return 1
            print("\n".join(rows))
        elif a.command == "cleanup":
            pods = rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=RPC_TIMEOUT).items
            res = {"container_id": "", "pod_id": "", "cleanup_errors": []}
            for p in pods:
                res["pod_id"] = p.id
                cleanup_pod(grpc, pb, rt, res)
            for e in res["cleanup_errors"]:
                print("cri_client: " + e, file=sys.stderr)
            return 1 if res["cleanup_errors"] else 0
    except grpc.RpcError as err:
        print("cri_client %s: %s" % (a.command, rpc_error_text(err)), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
