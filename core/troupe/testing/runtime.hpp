#pragma once
// testing::runtime: a node on the deterministic executor, with a record of every delivery.
//
//   troupe::testing::runtime rt;
//   auto a = rt.node().spawn<adder>().value();
//   auto r = a.ask(add{1, 2}, 1s);      // nothing ran yet
//   rt.run_until_idle();                 // now it has
//   EXPECT_EQ(r.get().value(), 3);
//   EXPECT_EQ(rt.deliveries().at(0).type, "add");

#include <string>
#include <vector>

#include <troupe/node.hpp>
#include <troupe/testing/deterministic_executor.hpp>

namespace troupe::testing {

struct delivery {
    address from;
    address to;
    std::string type;
    friend bool operator==(const delivery&, const delivery&) = default;
};

class runtime {
public:
    explicit runtime(log_level level = log_level::warn);

    troupe::node& node() noexcept { return node_; }
    deterministic_executor& exec() noexcept { return *exec_; }

    bool step() { return exec_->step(); }
    std::size_t run_until_idle() { return exec_->run_until_idle(); }
    void advance(duration d) { exec_->advance(d); }
    time_point now() const noexcept { return exec_->now(); }

    /// Every user message handled so far, in the order the actors handled them.
    const std::vector<delivery>& deliveries() const noexcept { return deliveries_; }
    /// The types of the messages `to` handled, in order.
    std::vector<std::string> received_by(address to) const;
    void clear_deliveries() { deliveries_.clear(); }

private:
    static node_config make_config(log_level level, deterministic_executor*& out);
    deterministic_executor* exec_ = nullptr;
    std::vector<delivery> deliveries_;
    troupe::node node_;
};

}  // namespace troupe::testing
