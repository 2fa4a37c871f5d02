#!/bin/sh
# Removes kube-alicloud from a cluster: only what the product created, nothing of the users'.
#
#   scripts/uninstall.sh [--dry-run] [--orphan-cloud-resources] [--deploy-dir DIR] [--namespace NS]
#                        [--wait-seconds N]
#
# It never deletes a Service, PersistentVolumeClaim or PersistentVolume: those are the users'
# objects even when a controller of ours gave them an SLB or a disk. It uses label selectors and
# client-side filtering only (field selectors on Service spec.type need a recent apiserver).
# Needs kubectl (KUBECONFIG / the current context select the cluster) and a POSIX shell.
# Documented in docs/getting-started.md#uninstall; test/docs/uninstall.test.ts runs it.
set -eu

SVC_FINALIZER='service.k8s.alibaba/resources'
PV_FINALIZER='alicloud.kubernetes.io/disk-protection'
PVC_FINALIZER='alicloud.kubernetes.io/disk-provisioning'
PROVISIONERS='alicloud/disk archon.kubeup.com/aliyun'
MANAGER_LABEL='app.kubernetes.io/name=alicloud-controller-manager'
TAB=$(printf '\t')

dry_run=0
orphan=0
ns=kube-system
wait_seconds=60
deploy_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/../deploy" 2>/dev/null && pwd || echo deploy)

usage() {
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --orphan-cloud-resources) orphan=1 ;;
    --deploy-dir) deploy_dir=$2; shift ;;
    --deploy-dir=*) deploy_dir=${1#*=} ;;
    --namespace) ns=$2; shift ;;
    --namespace=*) ns=${1#*=} ;;
    --wait-seconds) wait_seconds=$2; shift ;;
    --wait-seconds=*) wait_seconds=${1#*=} ;;
    -h|--help) usage; exit 0 ;;
    *) echo "uninstall.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

say() { printf '%s\n' "$*"; }

# Writes go through here so --dry-run shows exactly what would run.
run() {
  if [ "$dry_run" = 1 ]; then
    say "would run: kubectl $*"
  else
    kubectl "$@"
  fi
}

# "<namespace>/<name> <finalizer> <finalizer>..." per object of a kind, read client-side.
with_finalizer() {
  kind=$1 finalizer=$2
  kubectl get "$kind" --all-namespaces -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{" "}{.metadata.finalizers}{"\n"}{end}' |
    while read -r key rest; do
      case "$rest" in *"\"$finalizer\""*) say "$key" ;; *) : ;; esac
    done
}

# "<pv name> <disk id>" per PersistentVolume that one of our provisioner names created.
provisioned_pvs() {
  kubectl get persistentvolumes -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.metadata.annotations.pv\.kubernetes\.io/provisioned-by}{"\t"}{.metadata.annotations.alicloud\.kubernetes\.io/disk-id}{"\n"}{end}' |
    while IFS="$TAB" read -r name by disk; do
      for p in $PROVISIONERS; do
        if [ "$by" = "$p" ]; then say "$name ${disk:-?}"; fi
      done
    done
}

# Removes one finalizer by index, guarded by a test op so a concurrent change fails the patch
# instead of removing someone else's entry.
drop_finalizer() {
  kind=$1 key=$2 finalizer=$3
  name=${key#*/}
  space=${key%%/*}
  set -- "$kind" "$name"
  if [ -n "$space" ]; then set -- "$@" -n "$space"; fi
  i=0
  for f in $(kubectl get "$@" -o jsonpath='{range .metadata.finalizers[*]}{@}{"\n"}{end}'); do
    if [ "$f" = "$finalizer" ]; then
      run patch "$@" --type=json -p "[{\"op\":\"test\",\"path\":\"/metadata/finalizers/$i\",\"value\":\"$finalizer\"},{\"op\":\"remove\",\"path\":\"/metadata/finalizers/$i\"}]"
      return 0
    fi
    i=$((i + 1))
  done
}

# Static Pods (mirror Pods in the API) can only be removed on their master; refuse before touching
# anything, so a refusal never leaves a half-removed installation.
static=$(kubectl -n "$ns" get pods -l "$MANAGER_LABEL" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.annotations.kubernetes\.io/config\.mirror}{"\n"}{end}' |
  while read -r pod mirror; do
    if [ -n "$mirror" ]; then say "$pod"; fi
  done)
if [ -n "$static" ]; then
  say "alicloud-controller-manager runs as a static Pod: $static"
  say "Delete its manifest in /etc/kubernetes/manifests/ on every master first, then run this script again."
  exit 1
fi

services=$(with_finalizer services "$SVC_FINALIZER")
claims=$(with_finalizer persistentvolumeclaims "$PVC_FINALIZER")
volumes=$(provisioned_pvs)

if [ -n "$services$claims$volumes" ]; then
  say "Cloud resources held by kube-alicloud:"
  for s in $services; do say "  Service $s (an SLB)"; done
  for c in $claims; do say "  PersistentVolumeClaim $c (a disk being provisioned)"; done
  printf '%s\n' "$volumes" | while read -r pv disk; do
    if [ -n "$pv" ]; then say "  PersistentVolume $pv (disk $disk)"; fi
  done
  if [ "$orphan" = 0 ]; then
    say ""
    say "Nothing was removed. Either:"
    say "  - delete these Services (or make them ClusterIP) and the claims you no longer need, wait"
    say "    until the list above is empty (SLBs and reclaimPolicy: Delete disks are deleted), and run"
    say "    this script again; or"
    say "  - run it with --orphan-cloud-resources: our finalizers are removed and the SLBs and disks"
    say "    stay in your account, tagged with the cluster id."
    if [ "$dry_run" = 1 ]; then say "(dry run: a real run stops here)"; exit 0; fi
    exit 1
  fi
fi

# The manager must be gone before finalizers are removed, or it would put them back.
run -n "$ns" delete deployment alicloud-controller-manager --ignore-not-found
if [ "$dry_run" = 0 ]; then
  waited=0
  while [ -n "$(kubectl -n "$ns" get pods -l "$MANAGER_LABEL" -o name)" ]; do
    if [ "$waited" -ge "$wait_seconds" ]; then
      say "alicloud-controller-manager Pods still run in $ns after ${wait_seconds}s:"
      kubectl -n "$ns" get pods -l "$MANAGER_LABEL" -o name
      say "Wait until they are gone, then run this script again."
      exit 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
fi

if [ "$orphan" = 1 ]; then
  for s in $services; do drop_finalizer service "$s" "$SVC_FINALIZER"; done
  for c in $claims; do drop_finalizer persistentvolumeclaim "$c" "$PVC_FINALIZER"; done
  printf '%s\n' "$volumes" | while read -r pv _disk; do
    if [ -n "$pv" ]; then drop_finalizer persistentvolume "/$pv" "$PV_FINALIZER"; fi
  done
fi

# The objects of deploy/, in reverse order of installation. Only files that exist are named, so a
# checkout without the optional ones still works.
for f in hostroutes.yaml flexvolume-installer.yaml storageclasses.yaml controller-manager.yaml rbac.yaml cloud-config.yaml; do
  if [ -f "$deploy_dir/$f" ]; then run delete -f "$deploy_dir/$f" --ignore-not-found; fi
done
run -n "$ns" delete secret aliyun-creds --ignore-not-found
run -n "$ns" delete lease ccm --ignore-not-found

say "kube-alicloud removed from the cluster. Left in place (see docs/getting-started.md#uninstall):"
say "VPC route entries of the Nodes, driver files in each node's kubelet plugin dir, host routes"
say "(ip route flush proto 200), and any static Pod manifest on the masters."
