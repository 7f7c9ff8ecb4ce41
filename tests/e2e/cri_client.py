#!/usr/bin/env python3
"""A minimal CRI client for the ocigate end-to-end tests (there is no crictl package in Debian 12).

It speaks runtime.v1 over containerd's gRPC socket with python3-grpcio and modules generated from
tests/e2e/cri/api.proto (python3 -m grpc_tools.protoc, into a temporary directory given by --gen).

usage: cri_client.py --socket PATH --gen DIR version
       cri_client.py --socket PATH --gen DIR image-id REF
       cri_client.py --socket PATH --gen DIR scenario SPEC.json     (prints a JSON result)
       cri_client.py --socket PATH --gen DIR cleanup                (stop + remove every pod)

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


def main():
    ap = argparse.ArgumentParser(description="minimal CRI client for the ocigate e2e tests")
    ap.add_argument("--socket", required=True)
    ap.add_argument("--gen", required=True, help="directory with the generated api_pb2 modules")
    ap.add_argument("command", choices=["version", "image-id", "scenario", "cleanup"])
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
        elif a.command == "scenario":
            with open(a.arg) as f:
                spec = json.load(f)
            print(json.dumps(scenario(grpc, pb, rt, spec), sort_keys=True))
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
