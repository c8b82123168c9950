// LD_PRELOAD shim for benchmarks on a host whose kernel has no IPVS: the generic netlink family "IPVS" resolves to
// a made-up id, and every request sent to it is acknowledged with success (a dump answers "done", empty) without
// reaching the kernel. keepalived's checker process exits when it cannot initialise IPVS, so without this it cannot
// be measured here at all; both daemons run under it in bench/checker_cost.sh, so both see the same "kernel".
// Steady-state checking of healthy servers sends nothing to IPVS, which is what the benchmark measures; the start-up
// programming is acknowledged but never happens.
//
//   cc -shared -fPIC -O2 -o ipvs_absent_shim.so ipvs_absent_shim.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

enum { kFakeFamily = 0x7ff0, kMaxPending = 4096, kMaxFds = 1024 };

struct pending_reply {
  struct nlmsghdr request;  // header of the request being answered
};

// Replies owed per file descriptor, in order. Small and fixed: a benchmark opens a handful of netlink sockets.
static struct {
  struct pending_reply queue[kMaxPending];
  unsigned head, count;
} owed[kMaxFds];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

#define REAL(name) \
  static __typeof__(&name) real_##name; \
  if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

int genl_ctrl_resolve(void* sock, const char* name) {
  REAL(genl_ctrl_resolve);
  if (strcmp(name, "IPVS") == 0) return kFakeFamily;
  return real_genl_ctrl_resolve(sock, name);
}

// Queues a reply for every IPVS request in the datagram; returns 1 when the datagram was for IPVS.
static int swallow(int fd, const void* data, size_t length) {
  const struct nlmsghdr* header = data;
  if (fd < 0 || fd >= kMaxFds || length < sizeof *header || header->nlmsg_type != kFakeFamily) return 0;
  pthread_mutex_lock(&lock);
  for (size_t left = length; NLMSG_OK(header, left); header = NLMSG_NEXT(header, left)) {
    if (owed[fd].count == kMaxPending) break;
    owed[fd].queue[(owed[fd].head + owed[fd].count++) % kMaxPending].request = *header;
  }
  pthread_mutex_unlock(&lock);
  return 1;
}

// Writes the next owed reply into the buffer; -1 when nothing is owed on this descriptor.
static ssize_t answer(int fd, void* buffer, size_t size, int flags, struct sockaddr* from, socklen_t* from_length) {
  if (fd < 0 || fd >= kMaxFds) return -1;
  pthread_mutex_lock(&lock);
  if (owed[fd].count == 0) {
    pthread_mutex_unlock(&lock);
    return -1;
  }
  const struct nlmsghdr request = owed[fd].queue[owed[fd].head].request;
  if (!(flags & MSG_PEEK)) {
    owed[fd].head = (owed[fd].head + 1) % kMaxPending;
    owed[fd].count--;
  }
  pthread_mutex_unlock(&lock);

  unsigned char reply[NLMSG_SPACE(sizeof(struct nlmsgerr))];
  memset(reply, 0, sizeof reply);
  struct nlmsghdr* header = (struct nlmsghdr*)reply;
  header->nlmsg_seq = request.nlmsg_seq;
  header->nlmsg_pid = request.nlmsg_pid;
  if ((request.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
    header->nlmsg_type = NLMSG_DONE;
    header->nlmsg_flags = NLM_F_MULTI;
    header->nlmsg_len = NLMSG_LENGTH(sizeof(int));
  } else {
    header->nlmsg_type = NLMSG_ERROR;
    header->nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr));
    struct nlmsgerr* error = NLMSG_DATA(header);
    error->error = 0;
    error->msg = request;
  }
  if (from && from_length && *from_length >= sizeof(struct sockaddr_nl)) {
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    memcpy(from, &kernel, sizeof kernel);
    *from_length = sizeof kernel;
  }
  const size_t length = header->nlmsg_len;
  memcpy(buffer, reply, length < size ? length : size);
  return (flags & MSG_TRUNC) ? (ssize_t)length : (ssize_t)(length < size ? length : size);
}

ssize_t sendto(int fd, const void* data, size_t length, int flags, const struct sockaddr* to, socklen_t to_length) {
  REAL(sendto);
  if (swallow(fd, data, length)) return (ssize_t)length;
  return real_sendto(fd, data, length, flags, to, to_length);
}

ssize_t send(int fd, const void* data, size_t length, int flags) {
  REAL(send);
  if (swallow(fd, data, length)) return (ssize_t)length;
  return real_send(fd, data, length, flags);
}

ssize_t sendmsg(int fd, const struct msghdr* message, int flags) {
  REAL(sendmsg);
  if (message->msg_iovlen == 1 && swallow(fd, message->msg_iov[0].iov_base, message->msg_iov[0].iov_len))
    return (ssize_t)message->msg_iov[0].iov_len;
  return real_sendmsg(fd, message, flags);
}

ssize_t recvmsg(int fd, struct msghdr* message, int flags) {
  REAL(recvmsg);
  void* buffer = message->msg_iovlen > 0 ? message->msg_iov[0].iov_base : NULL;
  size_t size = message->msg_iovlen > 0 ? message->msg_iov[0].iov_len : 0;
  socklen_t name_length = message->msg_namelen;
  const ssize_t n = answer(fd, buffer, size, flags, message->msg_name, &name_length);
  if (n >= 0) {
    message->msg_namelen = name_length;
    message->msg_controllen = 0;
    message->msg_flags = (flags & MSG_TRUNC) && (size_t)n > size ? MSG_TRUNC : 0;
    return n;
  }
  return real_recvmsg(fd, message, flags);
}

ssize_t recvfrom(int fd, void* buffer, size_t size, int flags, struct sockaddr* from, socklen_t* from_length) {
  REAL(recvfrom);
  const ssize_t n = answer(fd, buffer, size, flags, from, from_length);
  return n >= 0 ? n : real_recvfrom(fd, buffer, size, flags, from, from_length);
}

ssize_t recv(int fd, void* buffer, size_t size, int flags) {
  REAL(recv);
  const ssize_t n = answer(fd, buffer, size, flags, NULL, NULL);
  return n >= 0 ? n : real_recv(fd, buffer, size, flags);
}

int close(int fd) {
  REAL(close);
  if (fd >= 0 && fd < kMaxFds) {
    pthread_mutex_lock(&lock);
    owed[fd].head = owed[fd].count = 0;
    pthread_mutex_unlock(&lock);
  }
  return real_close(fd);
}
