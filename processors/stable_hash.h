#pragma once

// The stable hashes moved to schemas/ so that outreach/ can use them too; kept here so the
// processors' includes stay as they are.
#include "schemas/stable_hash.h"
