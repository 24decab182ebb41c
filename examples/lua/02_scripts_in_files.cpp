// 02_scripts_in_files: the three scripts of a Lua actor in files (examples/lua/scripts/):
// started.lua sets up ctx.state, handle.lua keeps words in it and ticks with notify_later,
// stopped.lua reports. build() reads the files once; the actor never touches the disk.
#include <chrono>
#include <filesystem>
#include <iostream>

#include <troupe/lua/script_actor.hpp>
#include <troupe/troupe.hpp>

namespace lua = troupe::lua;
using namespace std::chrono_literals;

// The folder of the scripts: CMake passes this example's source folder.
const std::filesystem::path scripts = TROUPE_LUA_EXAMPLE_DIR "/scripts";

struct flush {};

// Prints what the script sends it, in order.
struct console : troupe::actor<console, troupe::value, flush> {
    void handle(const troupe::value& line) { std::cout << line.as_string() << "\n"; }
    void handle(flush) {}  // an ask that returns once every earlier line is printed
};

int main() {
    troupe::node node;
    auto out = node.spawn<console>().value();

    auto script = lua::builder{}
                      .on_started_file(scripts / "started.lua")
                      .on_handle_file(scripts / "handle.lua")
                      .on_stopped_file(scripts / "stopped.lua")
                      .add_recipient("console", out.addr())
                      .build();
    if (!script) {
        std::cout << "cannot build: " << script.error().message() << "\n";
        return 1;
    }
    auto words = node.spawn<lua::script_actor>(*script).value();
    auto exited = words.wait();

    for (const char* w : {"to", "be", "continued"}) {
        troupe::value count =
            words.ask(troupe::value{troupe::value::map{{"word", w}}}, 1s).get().value();
        std::cout << "kept \"" << w << "\": " << count << " words in ctx.state\n";
    }
    words.tell(troupe::value{troupe::value::map{{"remind", 0.05}}});

    troupe::exit_reason why = std::move(exited).get().value();
    (void)out.ask(flush{}, 1s).get();  // the stopped script's line is printed by now
    std::cout << "exit reason: " << why.to_string() << "\n";
}
