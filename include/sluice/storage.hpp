#pragma once
// sluice's storage layer: RAII over LMDB. Environments, read and write transactions as distinct
// types, cursors tied to their transaction, errors as exceptions naming the operation.

#include <sluice/storage/cursor.hpp>
#include <sluice/storage/database.hpp>
#include <sluice/storage/environment.hpp>
#include <sluice/storage/storage_error.hpp>
#include <sluice/storage/transaction.hpp>
