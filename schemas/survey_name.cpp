#include "schemas/survey_name.h"

namespace cx {

std::string_view SurveyName(SurveyKind survey) {
  switch (survey) {
    case SurveyKind::kCsat:
      return "csat";
    case SurveyKind::kNps:
      return "nps";
    case SurveyKind::kCes:
      return "ces";
    case SurveyKind::kNone:
      return "";
  }
  return "";
}

}  // namespace cx
