#pragma once
// error_of(r): the reason of a result that must be a bad_message error (a test failure
// otherwise), for comparing error texts.

#include <string>

#include <gtest/gtest.h>

#include <troupe/error.hpp>

namespace demo {

template <class T>
std::string error_of(const troupe::result<T>& r) {
    EXPECT_FALSE(r.has_value());
    if (r.has_value()) return "<no error>";
    EXPECT_EQ(r.error().code(), troupe::errc::bad_message);
    return r.error().reason();
}

}  // namespace demo
