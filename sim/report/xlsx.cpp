// The Excel workbooks (--xlsx, docs/excel.md), written with libxlsxwriter.
//
// libxlsxwriter writes to a file path, so a workbook is built in a fresh temporary file (in the
// system's temporary folder, never next to the destination) and its bytes are read back: the CLI
// then writes them with its other outputs, whole or not at all. Workbooks use libxlsxwriter's
// constant-memory mode (a 100,000-row Years sheet costs megabytes, not a gigabyte), which needs every
// sheet written row by row, top to bottom: each writer below goes down its sheet once.
//
// Numbers are written as numbers (libxlsxwriter prints 16 significant digits; Excel keeps 15) with a
// number format for display, so a formula on a cell sees the full value, not the rounded text.

#include <mistakesim/build_info.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/html_report.hpp>
#include <mistakesim/xlsx.hpp>

#include "report/report_detail.hpp"
#include "report/years_columns.hpp"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace mistakesim {
namespace {

using Json = nlohmann::ordered_json;
using Row = lxw_row_t;
using Col = lxw_col_t;

constexpr int kHistogramBins = 30;
constexpr std::size_t kExceedancePoints = 101;

//! A temporary file name for libxlsxwriter, removed when this goes away.
class ScratchFile {
 public:
  ScratchFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mistakesim-xlsx-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file for the workbook in " + pattern);
    ::close(fd);
    path_ = pattern;
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ~ScratchFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

//! The workbook being built, its shared formats, and the bytes once closed.
class Book {
 public:
  explicit Book(const Model& model) : currency_(model.currency) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    wb_ = workbook_new_opt(file_.path().c_str(), &options);
    if (wb_ == nullptr) throw std::runtime_error("libxlsxwriter cannot start a workbook");
    // A fixed creation date (the zip format's epoch, 1980-01-01): the bytes depend on the results only.
    lxw_doc_properties properties{};  // libxlsxwriter takes char* but copies the strings
    std::string title_text = model.name, author = "mistakesim";
    properties.title = title_text.data();
    properties.author = author.data();
    properties.created = 315532800;
    workbook_set_properties(wb_, &properties);

    title = add([](lxw_format* f) { format_set_bold(f), format_set_font_size(f, 14); });
    heading = add([](lxw_format* f) { format_set_bold(f), format_set_font_size(f, 12); });
    bold = add([](lxw_format* f) { format_set_bold(f); });
    header = add([](lxw_format* f) {
      format_set_bold(f), format_set_bottom(f, LXW_BORDER_THIN), format_set_text_wrap(f);
      format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    });
    note = add([](lxw_format* f) { format_set_italic(f), format_set_font_color(f, LXW_COLOR_GRAY); });
    const std::string prefix = detail::currency_prefix(currency_);
    const std::string money_code =
        prefix.empty() ? "#,##0" : fmt::format("\"{0}\"#,##0;-\"{0}\"#,##0", prefix);
    money = add([&](lxw_format* f) { format_set_num_format(f, money_code.c_str()); });
    count = add([](lxw_format* f) { format_set_num_format(f, "#,##0.0"); });
    whole = add([](lxw_format* f) { format_set_num_format(f, "#,##0"); });
    hours = add([](lxw_format* f) { format_set_num_format(f, "#,##0\" h\""); });
    percent = add([](lxw_format* f) { format_set_num_format(f, "0%"); });
    precise = add([](lxw_format* f) { format_set_num_format(f, "0.000"); });
    general = add([](lxw_format* f) { format_set_num_format(f, "General"); });
    money_axis = prefix.empty() ? "#,##0" : fmt::format("\"{}\"#,##0", prefix);
  }
  Book(const Book&) = delete;
  Book& operator=(const Book&) = delete;
  ~Book() {
    if (wb_ != nullptr) workbook_close(wb_);
  }

  lxw_worksheet* sheet(const char* name) { return workbook_add_worksheet(wb_, name); }
  lxw_chart* chart(lxw_chart_type type) { return workbook_add_chart(wb_, static_cast<std::uint8_t>(type)); }

  //! Closes the workbook and returns the file's bytes.
  std::string bytes() {
    const lxw_error error = workbook_close(wb_);
    wb_ = nullptr;
    if (error != LXW_NO_ERROR)
      throw std::runtime_error(std::string("libxlsxwriter cannot write the workbook: ") +
                               lxw_strerror(error));
    std::ifstream in(file_.path(), std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    if (!in) throw std::runtime_error("cannot read back the workbook from " + file_.path());
    return out.str();
  }

  lxw_format *title, *heading, *bold, *header, *note, *money, *count, *whole, *hours, *percent, *precise,
      *general;
  std::string money_axis;  //!< number format of a money chart axis

 private:
  template <class F>
  lxw_format* add(F&& set) {
    lxw_format* f = workbook_add_format(wb_);
    set(f);
    return f;
  }

  ScratchFile file_;
  lxw_workbook* wb_ = nullptr;
  std::string currency_;
};

//! Writes a sheet top to bottom: one row after another (constant-memory mode).
class SheetWriter {
 public:
  SheetWriter(Book& book, lxw_worksheet* ws) : book_(book), ws_(ws) {}
  lxw_worksheet* ws() const { return ws_; }
  Row row() const { return row_; }

  void text(Col col, const std::string& s, lxw_format* f = nullptr) {
    worksheet_write_string(ws_, row_, col, s.c_str(), f);
  }
  //! A finite number, or an empty cell (no value: NaN, infinity).
  void number(Col col, double x, lxw_format* f = nullptr) {
    if (std::isfinite(x)) worksheet_write_number(ws_, row_, col, x, f);
  }
  void next(Row rows = 1) { row_ += rows; }
  //! A label in column 0 and a value in column 1 with its format, an optional note in column 2.
  void line(const std::string& label, double value, lxw_format* f, const std::string& note_text = "") {
    text(0, label);
    number(1, value, f);
    if (!note_text.empty()) text(2, note_text, book_.note);
    next();
  }
  void line_text(const std::string& label, const std::string& value) {
    text(0, label);
    text(1, value);
    next();
  }
  //! A header row from the column names.
  void headers(const std::vector<std::string>& names) {
    for (std::size_t c = 0; c < names.size(); ++c) text(static_cast<Col>(c), names[c], book_.header);
    next();
  }

 private:
  Book& book_;
  lxw_worksheet* ws_;
  Row row_ = 0;
};

std::string plural(std::uint64_t n, const char* word) {
  return fmt::format("{} {}{}", format_count(static_cast<double>(n)), word, n == 1 ? "" : "s");
}

//! The study's name, what was run, and provenance (study file, SHA-256, seed, version, build).
void write_title(Book& book, SheetWriter& s, const Model& model, const std::string& what,
                 std::uint64_t trials, std::uint64_t first_trial, const RunInfo& info,
                 const std::string& sha256) {
  s.text(0, model.name.empty() ? std::string("Study") : model.name, book.title);
  s.next();
  s.text(0, fmt::format("{}: {}, seed {}, {} reps, amounts in {} per year ({} basis)", what,
                        plural(trials, "simulated year"), model.seed, model.reps, model.currency,
                        detail::value_basis_name(model.value)));
  s.next(2);
  s.text(0, "Provenance", book.heading);
  s.next();
  s.line_text("Study file", info.study_file);
  s.line_text("Study file SHA-256", sha256);
  s.text(0, "Seed");
  s.number(1, static_cast<double>(model.seed), book.general);
  s.next();
  s.text(0, "Simulated years");
  s.number(1, static_cast<double>(trials), book.whole);
  s.text(2, fmt::format("trials {} to {}", first_trial, first_trial + trials - (trials > 0 ? 1 : 0)),
         book.note);
  s.next();
  s.line_text("mistakesim version", info.version);
  s.line_text("Build", info.build);
  s.next();
}

//! The inputs as the study states them (the JSON's "inputs" list).
void write_inputs_sheet(Book& book, lxw_worksheet* ws, const Model& model) {
  SheetWriter s(book, ws);
  worksheet_set_column(s.ws(), 0, 0, 48, nullptr);
  worksheet_set_column(s.ws(), 1, 1, 16, nullptr);
  worksheet_set_column(s.ws(), 2, 2, 60, nullptr);
  worksheet_set_column(s.ws(), 3, 4, 14, nullptr);
  s.text(0, "The study's inputs as it states them", book.heading);
  s.next();
  s.headers({"Parameter", "Drawn", "Distribution", "Mean", "Uncertain"});
  worksheet_freeze_panes(s.ws(), 2, 0);
  for (const Json& input : detail::study_inputs_json(model)) {
    s.text(0, input["param"].get<std::string>());
    s.text(1, input["level"].get<std::string>());
    s.text(2, input["distribution"].get<std::string>());
    if (input["mean"].is_number()) s.number(3, input["mean"].get<double>(), book.general);
    s.text(4, input["uncertain"].get<bool>() ? "yes" : "no");
    s.next();
  }
}

lxw_format* column_format(const Book& book, detail::YearColumn::Kind kind) {
  using K = detail::YearColumn::Kind;
  switch (kind) {
    case K::money:
      return book.money;
    case K::count:
      return book.whole;
    case K::hours:
      return book.hours;
    case K::input:
      return book.general;
  }
  return nullptr;
}

//! One row per simulated year (at most kXlsxMaxYears), a note saying how many, then the header.
void write_years_sheet(Book& book, lxw_worksheet* ws, const std::vector<detail::YearColumn>& columns,
                       std::uint64_t first_trial, std::uint64_t count) {
  SheetWriter s(book, ws);
  const std::uint64_t rows = std::min(count, kXlsxMaxYears);
  s.text(0,
         rows == count
             ? fmt::format("All {}, one per row: the columns of --csv.", plural(count, "simulated year"))
             : fmt::format("The first {} of {} simulated years (a workbook keeps at most {} rows); "
                           "--csv writes every year.",
                           format_count(static_cast<double>(rows)), format_count(static_cast<double>(count)),
                           format_count(static_cast<double>(kXlsxMaxYears))),
         book.note);
  s.next();
  std::vector<std::string> names{"trial"};
  for (const auto& c : columns) names.push_back(c.name);
  worksheet_set_column(s.ws(), 0, static_cast<Col>(names.size() - 1), 16, nullptr);
  s.headers(names);
  worksheet_freeze_panes(s.ws(), 2, 1);
  for (std::uint64_t t = 0; t < rows; ++t) {
    s.number(0, static_cast<double>(first_trial + t), book.general);
    for (std::size_t c = 0; c < columns.size(); ++c)
      s.number(static_cast<Col>(c + 1), columns[c].value(t), column_format(book, columns[c].kind));
    s.next();
  }
}

//! A range on a sheet for a chart series.
struct Range {
  const char* sheet;
  Row first, last;
  Col col;
};

lxw_chart_series* add_series(lxw_chart* chart, const std::optional<Range>& categories, const Range& values,
                             const std::string& name) {
  lxw_chart_series* series = chart_add_series(chart, nullptr, nullptr);
  if (categories)
    chart_series_set_categories(series, categories->sheet, categories->first, categories->col,
                                categories->last, categories->col);
  chart_series_set_values(series, values.sheet, values.first, values.col, values.last, values.col);
  if (!name.empty()) chart_series_set_name(series, name.c_str());
  return series;
}

void name_axes(lxw_chart* chart, const char* title, const char* x, const char* y) {
  chart_title_set_name(chart, title);
  chart_axis_set_name(chart->x_axis, x);
  chart_axis_set_name(chart->y_axis, y);
}

//! Places the charts on the Charts sheet, one under the other.
void place_charts(lxw_worksheet* ws, const std::vector<lxw_chart*>& charts) {
  Row row = 1;
  for (lxw_chart* chart : charts) {
    lxw_chart_options options{};
    options.x_scale = 1.6;
    options.y_scale = 1.3;
    worksheet_insert_chart_opt(ws, row, 1, chart, &options);
    row += 22;
  }
}

//! Chart data of a cost distribution: histogram (bin from, to, middle, years) and exceedance curve
//! (cost, share of years costing more), side by side from row 1 of the sheet. Returns the charts.
std::vector<lxw_chart*> cost_distribution_charts(Book& book, SheetWriter& data, std::span<const double> cost,
                                                 const std::string& what) {
  const Histogram h = histogram(cost, kHistogramBins);
  std::vector<double> sorted;
  for (double x : cost)
    if (std::isfinite(x)) sorted.push_back(x);
  sort_values(sorted);
  const auto curve = exceedance(sorted, kExceedancePoints);
  const double n = static_cast<double>(sorted.size());

  data.headers({"Bin from", "Bin to", "Bin middle", "Share of years", "", "Yearly cost",
                "Share of years costing more"});
  const Row first = data.row();
  const std::size_t rows = std::max(h.counts.size(), curve.size());
  for (std::size_t i = 0; i < rows; ++i) {
    if (i < h.counts.size()) {
      data.number(0, h.edges[i], book.money);
      data.number(1, h.edges[i + 1], book.money);
      data.number(2, 0.5 * (h.edges[i] + h.edges[i + 1]), book.money);
      data.number(3, n > 0 ? static_cast<double>(h.counts[i]) / n : 0.0, book.percent);
    }
    if (i < curve.size()) {
      data.number(5, curve[i].first, book.money);
      data.number(6, curve[i].second, book.percent);
    }
    data.next();
  }
  std::vector<lxw_chart*> charts;
  if (!h.counts.empty()) {
    lxw_chart* hist = book.chart(LXW_CHART_COLUMN);
    add_series(hist, Range{"Chart data", first, Row(first + h.counts.size() - 1), 2},
               Range{"Chart data", first, Row(first + h.counts.size() - 1), 3}, "Share of years");
    name_axes(hist, ("How often each " + what + " comes up").c_str(), ("Yearly cost (bin middle)"),
              "Share of years");
    chart_axis_set_num_format(hist->x_axis, book.money_axis.c_str());
    chart_axis_set_num_format(hist->y_axis, "0%");
    chart_legend_set_position(hist, LXW_CHART_LEGEND_NONE);
    chart_set_series_gap(hist, 10);
    charts.push_back(hist);
  }
  if (!curve.empty()) {
    lxw_chart* exc = book.chart(LXW_CHART_SCATTER_STRAIGHT);
    add_series(exc, Range{"Chart data", first, Row(first + curve.size() - 1), 5},
               Range{"Chart data", first, Row(first + curve.size() - 1), 6}, "Share of years costing more");
    name_axes(exc, ("Chance that the " + what + " exceeds a given amount").c_str(), "Yearly cost",
              "Share of years costing more");
    chart_axis_set_num_format(exc->x_axis, book.money_axis.c_str());
    chart_axis_set_num_format(exc->y_axis, "0%");
    chart_axis_set_min(exc->y_axis, 0);
    chart_axis_set_max(exc->y_axis, 1);
    chart_legend_set_position(exc, LXW_CHART_LEGEND_NONE);
    charts.push_back(exc);
  }
  return charts;
}

//! A horizontal bar chart of columns of a table on the Summary sheet (rows first..last), labelled by
//! label_col, the table's first row on top. (In a libxlsxwriter bar chart the y axis is the
//! category axis and the x axis the values.)
lxw_chart* ranked_bars(Book& book, Row first, Row last, Col label_col,
                       const std::vector<std::pair<Col, std::string>>& series, const char* title,
                       const char* value_axis) {
  lxw_chart* chart = book.chart(LXW_CHART_BAR);
  for (const auto& [col, name] : series)
    add_series(chart, Range{"Summary", first, last, label_col}, Range{"Summary", first, last, col}, name);
  chart_title_set_name(chart, title);
  chart_axis_set_name(chart->x_axis, value_axis);
  chart_axis_set_num_format(chart->x_axis, book.money_axis.c_str());
  chart_axis_set_reverse(chart->y_axis);       // first row on top
  chart_axis_set_crossing_max(chart->y_axis);  // and the values' axis stays at the bottom
  chart_legend_set_position(chart, series.size() > 1 ? LXW_CHART_LEGEND_BOTTOM : LXW_CHART_LEGEND_NONE);
  return chart;
}

//! The sheets of a workbook in the order a reader meets them; created first, written in any order.
struct Sheets {
  Sheets(Book& book, bool with_years, bool with_data)
      : summary(book.sheet("Summary")),
        charts(book.sheet("Charts")),
        years(with_years ? book.sheet("Years") : nullptr),
        inputs(book.sheet("Inputs")),
        data(with_data ? book.sheet("Chart data") : nullptr) {}
  lxw_worksheet *summary, *charts, *years, *inputs, *data;
};

double share(double part, double whole_amount) {
  return whole_amount != 0.0 ? part / whole_amount : std::nan("");
}

}  // namespace

std::string run_workbook(const Model& model, const TrialResults& results, const RunSummary& summary,
                         const RunInfo& info, const std::string& study_sha256) {
  SIM_CHECK(summary.mistakes.size() == model.mistakes.size(),
            << summary.mistakes.size() << " summaries for " << model.mistakes.size() << " mistakes");
  Book book(model);
  const Sheets sheets(book, true, true);
  SheetWriter s(book, sheets.summary);
  worksheet_set_column(s.ws(), 0, 0, 44, nullptr);
  worksheet_set_column(s.ws(), 1, 1, 44, nullptr);
  worksheet_set_column(s.ws(), 2, 9, 14, nullptr);
  write_title(book, s, model, "Run", results.count, results.first_trial, info, study_sha256);

  const PipelineMeans& p = summary.pipeline;
  s.text(0, "The pipeline in an average year", book.heading);
  s.next();
  s.line("Opportunities worked", p.opportunities, book.count);
  s.line("Good fits (would buy if done right)", p.good_fits, book.count);
  s.line("Wins if everything is done right", p.wins_done_right, book.count);
  s.line("Wins as it happened", p.wins, book.count);
  s.line("Deals that should have been won", p.should_have_bought, book.count);
  s.line("Hours spent with non-buyers", p.nonbuyer_hours, book.hours);
  s.line("Revenue if everything is done right", p.revenue_done_right, book.money);
  s.line("Revenue as it happened", p.revenue, book.money);
  s.next();

  const Summary& t = summary.cost.total;
  s.text(0, "What mistakes cost in a year", book.heading);
  s.next();
  s.line("Average year", t.mean, book.money, "mean");
  s.line("  95% confidence interval of the mean, from", t.mean_ci95_lo, book.money);
  s.line("  to", t.mean_ci95_hi, book.money);
  s.line("Good year (1 in 20 costs less)", t.p05, book.money, "P05");
  s.line("Typical year (half cost more)", t.p50, book.money, "median");
  s.line("Bad year (1 in 20 costs more)", t.p95, book.money, "P95");
  s.line("Worst 5% of years, on average", t.cvar95, book.money, "CVaR95");
  s.line("Known mistakes (the team notices)", summary.cost.known.mean, book.money,
         format_percent(share(summary.cost.known.mean, t.mean)) + " of the cost");
  s.line("Unknown mistakes (nobody notices)", summary.cost.unknown.mean, book.money,
         format_percent(share(summary.cost.unknown.mean, t.mean)) + " of the cost");
  s.next();

  s.text(0, "Mistakes ranked by what they cost (average per year)", book.heading);
  s.next();
  s.headers({"Mistake", "Id", "Stage", "Cost", "Share", "Known", "Times", "Deals lost", "Worst 5%"});
  const Row first_mistake = s.row();
  for (const MistakeSummary& ms : summary.mistakes) {
    const Mistake& m = model.mistakes[ms.index];
    s.text(0, m.name);
    s.text(1, m.id);
    s.text(2, m.stage);
    s.number(3, ms.cost.mean, book.money);
    s.number(4, share(ms.cost.mean, t.mean), book.percent);
    s.number(5, share(ms.known_mean, ms.cost.mean), book.percent);
    s.number(6, ms.occurrences_mean, book.count);
    s.number(7, ms.deals_lost_mean, book.count);
    s.number(8, ms.cvar95_contribution, book.money);
    s.next();
  }
  const Row last_mistake = s.row() - 1;
  s.text(0,
         "Share: of the average yearly cost. Known: share of its cost the team notices. Times and deals "
         "lost: per "
         "year on average. Worst 5%: its average cost in the worst 5% of years.",
         book.note);
  s.next();

  std::vector<lxw_chart*> charts;
  SheetWriter data(book, sheets.data);
  worksheet_set_column(data.ws(), 0, 6, 16, nullptr);
  charts = cost_distribution_charts(book, data, results.cost_total, "yearly cost of mistakes");
  if (!summary.mistakes.empty())
    charts.push_back(ranked_bars(book, first_mistake, last_mistake, 0, {{3, ""}},
                                 "Mistakes ranked by average yearly cost", "Average yearly cost"));
  place_charts(sheets.charts, charts);
  write_years_sheet(book, sheets.years, detail::year_columns(model, results), results.first_trial,
                    results.count);
  write_inputs_sheet(book, sheets.inputs, model);
  return book.bytes();
}

std::string compare_workbook(const Model& model, const Comparison& c, const RunInfo& info,
                             const std::string& study_sha256) {
  Book book(model);
  const Sheets sheets(book, true, true);
  SheetWriter s(book, sheets.summary);
  worksheet_set_column(s.ws(), 0, 0, 44, nullptr);
  worksheet_set_column(s.ws(), 1, 1, 30, nullptr);
  worksheet_set_column(s.ws(), 2, 10, 14, nullptr);
  write_title(book, s, model, "Compare", c.baseline.count, c.baseline.first_trial, info, study_sha256);

  const Summary base = summarize(c.baseline.cost_total);
  s.text(0, "The baseline: what mistakes cost in a year with no intervention", book.heading);
  s.next();
  s.line("Average year", base.mean, book.money, "mean");
  s.line("Typical year (half cost more)", base.p50, book.money, "median");
  s.line("Bad year (1 in 20 costs more)", base.p95, book.money, "P95");
  s.next();

  s.text(0, "Interventions ranked by net savings (average per year, same simulated years as the baseline)",
         book.heading);
  s.next();
  s.headers({"Intervention", "Id", "Saves", "Costs", "Net", "ROI", "Pays off", "Break-even effect",
             "Savings P05", "Savings P95", "Variance reduction"});
  const Row first = s.row();
  for (const CandidateResult& r : c.candidates) {
    const Summary saved = summarize(r.savings);
    s.text(0, r.candidate.name);
    s.text(1, r.candidate.id);
    s.number(2, r.savings_mean, book.money);
    s.number(3, r.cost_mean, book.money);
    s.number(4, r.net_mean, book.money);
    s.number(5, r.roi_mean, book.percent);
    s.number(6, r.p_pays_off, book.percent);
    if (r.break_even_fraction)
      s.number(7, *r.break_even_fraction, book.percent);
    else
      s.text(7, "does not pay off", book.note);
    s.number(8, saved.p05, book.money);
    s.number(9, saved.p95, book.money);
    s.number(10, r.variance_reduction, book.count);
    s.next();
  }
  const Row last = s.row() - 1;
  s.text(
      0,
      "Saves: the baseline's yearly cost minus the cost with the intervention, year by year. Net: savings "
      "minus "
      "its cost. Pays off: share of years with net savings above zero. Break-even effect: the share of its "
      "effect at which it pays for itself on average.",
      book.note);
  s.next();

  SheetWriter data(book, sheets.data);
  worksheet_set_column(data.ws(), 0, 6, 16, nullptr);
  std::vector<lxw_chart*> charts;
  if (!c.candidates.empty()) {
    charts.push_back(ranked_bars(book, first, last, 0, {{2, "Saves"}, {4, "Net of its cost"}},
                                 "Savings per intervention (average per year)", "Average yearly savings"));
  }
  for (lxw_chart* chart : cost_distribution_charts(book, data, c.baseline.cost_total, "baseline yearly cost"))
    charts.push_back(chart);
  place_charts(sheets.charts, charts);

  std::vector<detail::YearColumn> columns;
  columns.push_back({"baseline_cost", detail::YearColumn::Kind::money,
                     [&c](std::uint64_t t) { return c.baseline.cost_total[t]; }});
  for (const CandidateResult& r : c.candidates) {
    columns.push_back({"savings:" + r.candidate.id, detail::YearColumn::Kind::money,
                       [&r](std::uint64_t t) { return r.savings[t]; }});
    columns.push_back({"net:" + r.candidate.id, detail::YearColumn::Kind::money,
                       [&r](std::uint64_t t) { return r.net[t]; }});
  }
  write_years_sheet(book, sheets.years, columns, c.baseline.first_trial, c.baseline.count);
  write_inputs_sheet(book, sheets.inputs, model);
  return book.bytes();
}

std::string sweep_workbook(const Model& model, const Sweep& sweep, const RunInfo& info,
                           const std::string& study_sha256) {
  Book book(model);
  const Sheets sheets(book, false, sweep.axis2.has_value());
  SheetWriter s(book, sheets.summary);
  worksheet_set_column(s.ws(), 0, 1, 30, nullptr);
  worksheet_set_column(s.ws(), 2, 12, 14, nullptr);
  write_title(book, s, model, "Sweep", sweep.trials, sweep.first_trial, info, study_sha256);

  s.text(0, "The yearly cost of mistakes at each value (same simulated years at every point)", book.heading);
  s.next();
  const bool grid = sweep.axis2.has_value();
  // Columns: the value(s), then the statistics, at fixed places whether or not it is a grid.
  s.headers({sweep.axis.path, grid ? sweep.axis2->path : "", "Average", "Mean 95% CI from", "to",
             "Good year P05", "Median", "Bad year P95", "Worst 5%", "Known", "Unknown",
             "Change from first point"});
  const Row first = s.row();
  for (const SweepPoint& p : sweep.points) {
    s.number(0, p.value, book.general);
    if (p.value2) s.number(1, *p.value2, book.general);
    s.number(2, p.total.mean, book.money);
    s.number(3, p.total.mean_ci95_lo, book.money);
    s.number(4, p.total.mean_ci95_hi, book.money);
    s.number(5, p.total.p05, book.money);
    s.number(6, p.total.p50, book.money);
    s.number(7, p.total.p95, book.money);
    s.number(8, p.total.cvar95, book.money);
    s.number(9, p.known.mean, book.money);
    s.number(10, p.unknown.mean, book.money);
    s.number(11, p.change_from_first.mean, book.money);
    s.next();
  }

  lxw_chart* chart = book.chart(LXW_CHART_SCATTER_STRAIGHT_WITH_MARKERS);
  const std::size_t inner = grid ? sweep.axis2->values.size() : 1;
  const std::size_t outer = sweep.axis.values.size();
  if (!grid) {
    add_series(chart, Range{"Summary", first, Row(first + outer - 1), 0},
               Range{"Summary", first, Row(first + outer - 1), 2}, "Average yearly cost");
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
  } else {
    // Grid rows are row-major with the first parameter outermost: the points of one value of the
    // second parameter are `inner` rows apart, which a chart range cannot express. So the chart
    // reads a pivoted copy on the Chart data sheet: one column per value of the second parameter.
    SheetWriter data(book, sheets.data);
    std::vector<std::string> names{sweep.axis.path};
    for (double v2 : sweep.axis2->values) names.push_back(fmt::format("{} = {}", sweep.axis2->path, v2));
    data.headers(names);
    for (std::size_t i = 0; i < outer; ++i) {
      data.number(0, sweep.axis.values[i], book.general);
      for (std::size_t j = 0; j < inner; ++j)
        data.number(Col(j + 1), sweep.points[i * inner + j].total.mean, book.money);
      data.next();
    }
    for (std::size_t j = 0; j < inner; ++j)
      add_series(chart, Range{"Chart data", 1, Row(outer), 0}, Range{"Chart data", 1, Row(outer), Col(j + 1)},
                 names[j + 1]);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
  }
  name_axes(chart, ("Average yearly cost of mistakes by " + sweep.axis.path).c_str(), sweep.axis.path.c_str(),
            "Average yearly cost");
  chart_axis_set_num_format(chart->y_axis, book.money_axis.c_str());
  place_charts(sheets.charts, {chart});
  write_inputs_sheet(book, sheets.inputs, model);
  return book.bytes();
}

std::string sensitivity_workbook(const Model& model, const Sensitivity& sens, const TrialResults& results,
                                 const RunInfo& info, const std::string& study_sha256) {
  Book book(model);
  const Sheets sheets(book, true, true);
  SheetWriter s(book, sheets.summary);
  worksheet_set_column(s.ws(), 0, 0, 44, nullptr);
  worksheet_set_column(s.ws(), 1, 11, 14, nullptr);
  write_title(book, s, model, "Sensitivity", sens.trials, results.first_trial, info, study_sha256);

  s.line("Average yearly cost of mistakes", sens.cost_mean, book.money);
  s.line("Standard deviation of the yearly cost", sens.cost_sd, book.money);
  s.line("R² of the standardised regression", sens.r2, book.precise,
         "share of the cost's variance the inputs explain");
  s.next();
  s.text(0, "Uncertain inputs ranked by how much they drive the yearly cost", book.heading);
  s.next();
  s.headers({"Input", "Rank correlation", "Standardised coefficient", "Swing P10 to P90", "Cost in low years",
             "Cost in high years", "Shift in worst 10% (sd)", "Mean", "Sd", "P10", "P90"});
  const Row first = s.row();
  for (const InputInfluence& in : sens.inputs) {
    s.text(0, in.param);
    s.number(1, in.spearman, book.precise);
    s.number(2, in.src, book.precise);
    s.number(3, in.swing_p10_p90, book.money);
    s.number(4, in.cost_low, book.money);
    s.number(5, in.cost_high, book.money);
    s.number(6, in.tail_shift, book.precise);
    s.number(7, in.mean, book.general);
    s.number(8, in.sd, book.general);
    s.number(9, in.p10, book.general);
    s.number(10, in.p90, book.general);
    s.next();
  }
  const Row last = s.row() - 1;
  s.text(0,
         "Swing: the average yearly cost in the years where the input is at or above its P90, minus the "
         "years at "
         "or below its P10.",
         book.note);
  s.next();

  std::vector<lxw_chart*> charts;
  if (!sens.inputs.empty())
    charts.push_back(ranked_bars(book, first, last, 0, {{3, ""}},
                                 "Swing of the yearly cost, input low (P10) to high (P90)",
                                 "Change of the average yearly cost"));
  SheetWriter data(book, sheets.data);
  worksheet_set_column(data.ws(), 0, 6, 16, nullptr);
  for (lxw_chart* chart : cost_distribution_charts(book, data, results.cost_total, "yearly cost of mistakes"))
    charts.push_back(chart);
  place_charts(sheets.charts, charts);
  write_years_sheet(book, sheets.years, detail::year_columns(model, results), results.first_trial,
                    results.count);
  write_inputs_sheet(book, sheets.inputs, model);
  return book.bytes();
}

}  // namespace mistakesim
