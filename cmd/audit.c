/* Placeholder until the audit command lands. */
#include <config.h>

#include "commands.h"

int
cmd_audit (int argc, char **argv)
{
  return usage_error ("audit", "not implemented yet");
}
