#pragma once
// The core tests also build against Qt 5's QtTest (the headless build, -DSPINELENS_BUILD_GUI=OFF,
// has no Qt 6). Qt 6.3 renamed the exception check; this gives Qt 5 the new spelling, so every
// test keeps one form of its assertions.
#include <QtTest>

#if QT_VERSION < QT_VERSION_CHECK(6, 3, 0) && !defined(QVERIFY_THROWS_EXCEPTION)
#define QVERIFY_THROWS_EXCEPTION(exceptiontype, ...)                                               \
    QVERIFY_EXCEPTION_THROWN((__VA_ARGS__), exceptiontype)
#endif
