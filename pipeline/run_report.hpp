// The report of a finished `patchnas run` (stage report): gathers what the stages recorded
// (the search's Pareto archive, the winner's memory per layer with and without patches, every
// training run's curves, the export's predictions and the verification's measurements) into
// ReportData for report_html.hpp.
//   write_file_atomically("runs/x/report.html",
//                         render_report_html(run_report_data(config, "runs/x")));
#pragma once

#include <string>

#include "pipeline/report_html.hpp"
#include "pipeline/run_config.hpp"

namespace patchnas {

ReportData run_report_data(const RunConfig& config, const std::string& out);

}  // namespace patchnas
