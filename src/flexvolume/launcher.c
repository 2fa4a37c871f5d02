/*
 * alicloud-flexvolume launcher: installed as <plugin>/alicloud~disk/disk (and aliyun~flexv/flexv).
 *
 * Why a static binary and not a script: under kubeadm, kube-controller-manager runs in a container
 * whose root filesystem has no shell and no libc; it only mounts the host's plugin directory and
 * execs this file for attach/detach. A statically linked launcher needs nothing from the root
 * filesystem it runs in. It execs the runtime the installer placed next to it:
 *
 *   <plugin>/.alicloud-flexvolume/ld.so --inhibit-cache --library-path <rt>/lib --argv0 <rt>/node \
 *       <rt>/node --no-warnings <rt>/driver.mjs <args…>
 *
 * Starting node through its own dynamic loader with --library-path (and no ld.so.cache) makes node
 * use only the glibc/libstdc++ copied from the image, on a host and in an empty container alike.
 * The directory is found from /proc/self/exe (argv[0] as a fallback), so any mount path works.
 * Built by scripts/bundle-flexvolume.mjs with `cc -static`.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* uninstall() recognises its own launchers by this string. */
static const char MARK[] = "alicloud-flexvolume launcher";
static const char RUNTIME_DIR[] = ".alicloud-flexvolume";

/* The kubelet reads one JSON object from stdout; a failure here must still be one. */
static int fail(const char *what, int err) {
  printf("{\"status\":\"Failure\",\"message\":\"%s: %s: %s\"}\n", MARK, what, strerror(err));
  return 1;
}

/* Cuts the last path component off `path` in place; 0 when there is none. */
static int parent(char *path) {
  char *slash = strrchr(path, '/');
  if (slash == NULL) return 0;
  if (slash == path) slash[1] = '\0';
  else *slash = '\0';
  return 1;
}

/* dst = a + "/" + b; 0 when it does not fit. */
static int join(char *dst, size_t size, const char *a, const char *b) {
  int n = snprintf(dst, size, "%s/%s", a, b);
  return n >= 0 && (size_t)n < size;
}

int main(int argc, char **argv) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
  } else if (argc > 0 && strchr(argv[0], '/') != NULL && realpath(argv[0], self) != NULL) {
    /* no /proc: the kubelet passes the absolute driver path as argv[0] */
  } else {
    return fail("cannot find its own path", n < 0 ? errno : ENOENT);
  }
  /* self = <plugin>/<vendor~driver>/<driver> */
  if (!parent(self) || !parent(self)) return fail("unexpected install path", EINVAL);

  char rt[PATH_MAX], ld[PATH_MAX], lib[PATH_MAX], node[PATH_MAX], driver[PATH_MAX];
  if (!join(rt, sizeof rt, strcmp(self, "/") == 0 ? "" : self, RUNTIME_DIR) || !join(ld, sizeof ld, rt, "ld.so") ||
      !join(lib, sizeof lib, rt, "lib") || !join(node, sizeof node, rt, "node") ||
      !join(driver, sizeof driver, rt, "driver.mjs"))
    return fail("install path too long", ENAMETOOLONG);

  char **args = calloc((size_t)argc + 10, sizeof *args);
  if (args == NULL) return fail("out of memory", ENOMEM);
  int i = 0;
  args[i++] = ld;
  args[i++] = "--inhibit-cache";
  args[i++] = "--library-path";
  args[i++] = lib;
  args[i++] = "--argv0";
  args[i++] = node;
  args[i++] = node;
  args[i++] = "--no-warnings";
  args[i++] = driver;
  for (int a = 1; a < argc; a++) args[i++] = argv[a];
  args[i] = NULL;
  execv(ld, args);
  return fail("cannot start the runtime", errno);
}
