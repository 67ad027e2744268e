#pragma once
// Redis: a sorted-set delay queue, the common way to schedule work with Redis, made as durable as
// sluice: the AOF on, fsync before every reply (appendfsync always), no RDB snapshots.
//
// Schedules are ZADD scheduled <due> <user>|<post>, from pipelining clients. Every second a ticker
// runs a Lua script (EVALSHA) in a loop until nothing is due: it takes at most 1000 members due
// at the tick's time, oldest first (ZRANGEBYSCORE -inf now LIMIT 0 1000), RPUSHes each post to
// feed:<user> and ZREMs them, atomically. The server is this benchmark's own redis-server, on a
// temporary directory and a free port; a stop is SHUTDOWN NOSAVE (the AOF, fsynced at every write,
// is flushed once more) and a restart reloads the AOF.

#include "../../tests/support/child_process.hpp"
#include "measures.hpp"
#include "run.hpp"
#include "workload.hpp"

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace timed_notifications_bench {

namespace redis_detail {

struct reply_deleter {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
struct context_deleter {
  void operator()(redisContext* context) const noexcept { redisFree(context); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

constexpr std::string_view scheduled_key = "scheduled";
constexpr std::size_t max_fetch = 1000;  // as sluice's scheduler

/// Moves at most ARGV[2] members due at ARGV[1] to their feeds; returns them with their scores.
constexpr std::string_view deliver_script = R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])
local members = {}
for i = 1, #due, 2 do
  local member = due[i]
  local bar = string.find(member, '|', 1, true)
  redis.call('RPUSH', 'feed:' .. string.sub(member, 1, bar - 1), string.sub(member, bar + 1))
  members[#members + 1] = member
end
if #members > 0 then redis.call('ZREM', KEYS[1], unpack(members)) end
return due
)lua";

/// One blocking connection.
class connection {
 public:
  explicit connection(int port) : context_(redisConnect("127.0.0.1", port)) {
    if (!context_) throw std::runtime_error("redis: cannot allocate a context");
    if (context_->err) throw std::runtime_error(std::string("redis: connect: ") + context_->errstr);
  }

  /// Runs a command (hiredis format string) and returns its reply; throws on an error reply.
  template <class... Args>
  reply_ptr command(const char* format, Args... args) {
    reply_ptr reply{static_cast<redisReply*>(redisCommand(context_.get(), format, args...))};
    return checked(std::move(reply));
  }

  /// Queues a command without waiting (pipelining); its reply comes from next_reply().
  template <class... Args>
  void append(const char* format, Args... args) {
    if (redisAppendCommand(context_.get(), format, args...) != REDIS_OK) throw io_error();
  }

  reply_ptr next_reply() {
    void* reply = nullptr;
    if (redisGetReply(context_.get(), &reply) != REDIS_OK) throw io_error();
    return checked(reply_ptr{static_cast<redisReply*>(reply)});
  }

 private:
  reply_ptr checked(reply_ptr reply) const {
    if (!reply) throw io_error();
    if (reply->type == REDIS_REPLY_ERROR) throw std::runtime_error("redis: " + std::string(reply->str, reply->len));
    return reply;
  }
  std::runtime_error io_error() const { return std::runtime_error(std::string("redis: ") + context_->errstr); }

  std::unique_ptr<redisContext, context_deleter> context_;
};

/// A TCP port nobody listens on right now.
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("cannot find a free port");
  ::close(fd);
  return ntohs(address.sin_port);
}

inline std::string find_in_path(const std::string& program) {
  std::istringstream path{std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin"};
  for (std::string dir; std::getline(path, dir, ':');)
    if (const auto candidate = std::filesystem::path(dir) / program; ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  throw std::runtime_error(program + " is not installed: run scripts/install-deps.sh --bench");
}

/// The peak resident set (VmHWM) of process `pid`, in KiB.
inline double peak_rss_kib_of(long pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::stod(line.substr(6));
  throw std::runtime_error("no VmHWM for process " + std::to_string(pid));
}

/// The value of `field` in an INFO reply.
inline std::string info_field(std::string_view info, std::string_view field) {
  const std::size_t at = info.find(std::string(field) + ":");
  if (at == std::string_view::npos) throw std::runtime_error("redis: INFO has no " + std::string(field));
  const std::size_t start = at + field.size() + 1;
  return std::string(info.substr(start, info.find('\r', start) - start));
}

/// A redis-server of this benchmark's own, durable as sluice is.
class server {
 public:
  server(const std::filesystem::path& dir, int port)
      : process_({find_in_path("redis-server"), "--port", std::to_string(port), "--bind", "127.0.0.1",
                  "--dir", dir.string(), "--logfile", (dir / "redis.log").string(), "--daemonize", "no",
                  "--appendonly", "yes", "--appendfsync", "always", "--save", ""}),
        port_(port) {
    connection ready = wait_until_ready();
    const reply_ptr info = ready.command("INFO server");
    pid_ = std::stol(info_field({info->str, info->len}, "process_id"));
  }

  [[nodiscard]] int port() const noexcept { return port_; }
  [[nodiscard]] double peak_rss_kib() const { return peak_rss_kib_of(pid_); }

  /// SHUTDOWN NOSAVE, then waits for the process to end.
  void shut_down() {
    try {
      connection{port_}.command("SHUTDOWN NOSAVE");
    } catch (const std::runtime_error&) {  // expected: the server closes the connection, no reply
    }
    process_.reap();
  }

 private:
  // Until the AOF is loaded, the server answers LOADING or refuses connections.
  connection wait_until_ready() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes{10};
    for (;;) {
      try {
        connection c{port_};
        c.command("PING");
        return c;
      } catch (const std::runtime_error&) {
        if (std::chrono::steady_clock::now() > deadline) throw;
        std::this_thread::sleep_for(millis{5});
      }
    }
  }

  sluice_test::child_process process_;
  int port_;
  long pid_ = 0;
};

/// The ticker: every second, the script in a loop until nothing is due at the tick's time.
class ticker {
 public:
  explicit ticker(int port)
      : connection_(port),
        sha_(connection_.command("SCRIPT LOAD %s", deliver_script.data())->str),
        thread_([this](std::stop_token stop) { run(stop); }) {}

 private:
  void run(std::stop_token stop) {
    every_second(stop, [&](std::int64_t now_millis) {
      const std::string now = std::to_string(now_millis);
      while (deliver(now) == max_fetch) {
      }
    });
  }

  // One run of the script; records each delivery and returns how many there were.
  std::size_t deliver(const std::string& now) {
    const reply_ptr due = connection_.command("EVALSHA %s 1 %s %s %s", sha_.c_str(), scheduled_key.data(),
                                              now.c_str(), std::to_string(max_fetch).c_str());
    for (std::size_t i = 1; i < due->elements; i += 2)
      recorded_deliveries().record(std::stoll(due->element[i]->str));
    return due->elements / 2;
  }

  connection connection_;
  std::string sha_;
  std::jthread thread_;  // last: it runs as soon as it is constructed
};

}  // namespace redis_detail

class redis_peer {
 public:
  redis_peer(std::filesystem::path dir, const settings& s) : dir_(std::move(dir)), settings_(s) {}

  void start() {
    server_.emplace(dir_, redis_detail::free_port());
    queries_.emplace(server_->port());
    ticker_.emplace(server_->port());
  }

  void stop() {
    ticker_.reset();
    queries_.reset();
    peak_rss_kib_ = std::max(peak_rss_kib_, server_->peak_rss_kib());
    server_->shut_down();
    server_.reset();
  }

  [[nodiscard]] bool nothing_pending() {
    return queries_->command("ZCARD %s", redis_detail::scheduled_key.data())->integer == 0;
  }

  void count_feeds(feed_tally& tally) {
    constexpr std::size_t pipeline = 1000;
    for (std::size_t first = 0; first < settings_.users; first += pipeline) {
      const std::size_t last = std::min(settings_.users, first + pipeline);
      for (std::size_t user = first; user < last; ++user)
        queries_->append("LRANGE feed:%s 0 -1", user_name(user).c_str());
      for (std::size_t user = first; user < last; ++user) {
        const redis_detail::reply_ptr feed = queries_->next_reply();
        for (std::size_t i = 0; i < feed->elements; ++i)
          tally.count(user, {feed->element[i]->str, feed->element[i]->len});
      }
    }
  }

  /// redis-server's, the highest of its runs (the benchmark's own process is not counted).
  [[nodiscard]] double peak_rss_kib() const { return peak_rss_kib_; }

  /// A pipelining client: up to `window` ZADDs in flight on its own connection.
  class scheduler {
   public:
    scheduler(int port, std::size_t window) : connection_(port), window_(window) {}

    void submit(const ScheduledPost& post) {
      if (in_flight_ == window_) acknowledge();
      member_ = post.id + "|" + post.post;
      connection_.append("ZADD %s %lld %b", redis_detail::scheduled_key.data(), static_cast<long long>(post.time_millis),
                         member_.data(), member_.size());
      ++in_flight_;
    }

    void finish() {
      while (in_flight_ > 0) acknowledge();
    }

   private:
    void acknowledge() {
      if (connection_.next_reply()->integer != 1) throw std::runtime_error("redis: ZADD added nothing");
      --in_flight_;
    }

    redis_detail::connection connection_;
    std::size_t window_;
    std::size_t in_flight_ = 0;
    std::string member_;
  };

  [[nodiscard]] scheduler make_scheduler() const { return {server_->port(), settings_.window}; }

 private:
  std::filesystem::path dir_;
  settings settings_;
  std::optional<redis_detail::server> server_;
  std::optional<redis_detail::connection> queries_;
  std::optional<redis_detail::ticker> ticker_;
  double peak_rss_kib_ = 0;
};

}  // namespace timed_notifications_bench
