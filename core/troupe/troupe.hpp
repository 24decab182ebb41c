#pragma once
// Everything a troupe application needs.

#include <troupe/actor.hpp>
#include <troupe/address.hpp>
#include <troupe/error.hpp>
#include <troupe/exit_reason.hpp>
#include <troupe/generator.hpp>
#include <troupe/groups.hpp>
#include <troupe/message.hpp>
#include <troupe/node.hpp>
#include <troupe/output_port.hpp>
#include <troupe/pending.hpp>
#include <troupe/process.hpp>
#include <troupe/ref.hpp>
#include <troupe/reply_handle.hpp>
#include <troupe/server.hpp>
#include <troupe/signals.hpp>
#include <troupe/stream.hpp>
#include <troupe/supervisor.hpp>
#include <troupe/supervisor_spec.hpp>
#include <troupe/task.hpp>
#include <troupe/timer.hpp>
#include <troupe/uniform_supervisor.hpp>
