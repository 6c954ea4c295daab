// `hookfan blast --report`: the page is rendered by headless Chromium (Debian's `chromium`,
// tools/setup.sh) and the test asserts on what rendered. The DOM is dumped with networking
// unusable (an empty network namespace): the four charts are there, each series drawn with
// the points it declares inside its viewBox, and the key figures equal the same run's
// --json. Hostile text from the URL and a header stays text. The page also renders to a PNG
// with the network up, and nothing is fetched (a trap listener on loopback that the hostile
// text names gets no connection; Chromium logs no console error, where a blocked load shows).

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/tools/blast/in_process_sink.h"
#include "tests/tools/child_process.h"
#include "tools/blast/html_escape.h"
#include "tools/blast/svg_chart.h"

namespace hookfan::tools {
namespace {

TEST(HtmlEscapeTest, MarkupFromOutsideStaysText) {
  EXPECT_EQ(HtmlEscape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("\" onload=\"x"), "&quot; onload=&quot;x");
  EXPECT_EQ(HtmlEscape("it's"), "it&#39;s");
  EXPECT_EQ(HtmlEscape("&amp; -->"), "&amp;amp; --&gt;");
  EXPECT_EQ(HtmlEscape("a\x01"
                       "b\x7f"
                       "c\r"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\xEF\xBF\xBD");
  EXPECT_EQ(HtmlEscape("tab\tnew\nline"), "tab\tnew\nline");
  EXPECT_EQ(HtmlEscape("caf\xC3\xA9 /hook?a=1"), "caf\xC3\xA9 /hook?a=1");
}

TEST(SvgChartTest, TickAndBarLabelsArePlainNumbers) {
  EXPECT_EQ(FormatNumber(150000), "150000");  // not 1.5e+05
  EXPECT_EQ(FormatNumber(140800, 15), "140800");
  EXPECT_EQ(FormatNumber(0.25), "0.25");
  EXPECT_EQ(FormatNumber(1.23456), "1.235");
  EXPECT_EQ(FormatNumber(0), "0");
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A listening socket on loopback that nothing should ever connect to.
class Trap {
 public:
  Trap() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HOOKFAN_CHECK(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    HOOKFAN_CHECK(listen(fd_, 16) == 0);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Trap() { close(fd_); }
  int port() const { return port_; }
  bool Connected() {
    const int client = accept(fd_, nullptr, nullptr);
    if (client < 0) return false;
    close(client);
    return true;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

struct Chromium {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs Debian's headless Chromium on the file with `mode` (--dump-dom or --screenshot=...),
// behind `prefix` (a command that runs it, or ""). The console messages of the page go to
// stderr as "...:CONSOLE..." lines.
Chromium RunChromium(const std::string& prefix, const std::string& mode, const std::string& file) {
  const std::string out = file + ".out";
  const std::string err = file + ".err";
  const std::string command =
      prefix + "timeout 90 /usr/bin/chromium --headless --no-sandbox --disable-gpu " +
      "--no-first-run --enable-logging=stderr --v=0 " + "--window-size=1100,2600 " + mode +
      " file://" + file + " >" + out + " 2>" + err;
  Chromium result;
  result.code = std::system(command.c_str());
  result.out = ReadAll(out);
  result.err = ReadAll(err);
  return result;
}

// A prefix that runs a command in an empty network namespace (not even loopback is up): as
// root `unshare -n`, otherwise inside a user namespace of its own. "" when neither works.
std::string NoNetworkPrefix() {
  if (std::system("unshare -n true 2>/dev/null") == 0) return "unshare -n ";
  if (std::system("unshare -rn true 2>/dev/null") == 0) return "unshare -rn ";
  return "";
}

// (Parsed by hand: std::regex trips GCC 12's -Wmaybe-uninitialized under the sanitizers.)
std::string Figure(const std::string& dom, const std::string& name) {
  const std::string marker = "data-figure=\"" + name + "\">";
  const std::size_t at = dom.find(marker);
  if (at == std::string::npos) return "(missing)";
  const std::size_t begin = at + marker.size();
  const std::size_t end = dom.find('<', begin);
  return end == std::string::npos ? "(missing)" : dom.substr(begin, end - begin);
}

// The <svg id="..."> ... </svg> element of the rendered DOM ("" when missing).
std::string Chart(const std::string& dom, const std::string& id) {
  const std::size_t at = dom.find("class=\"chart\" id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const std::size_t open = dom.rfind("<svg", at);
  const std::size_t close = dom.find("</svg>", at);
  return dom.substr(open, close - open + 6);
}

struct RenderedSeries {
  int declared = -1;                                // data-points
  std::vector<std::pair<double, double>> polyline;  // the points drawn
};

// The series named `name` of a chart: its declared point count and its polyline's points.
RenderedSeries Series(const std::string& chart, const std::string& name) {
  RenderedSeries series;
  const std::string marker = "<g class=\"series\" data-series=\"" + name + "\" data-points=\"";
  const std::size_t at = chart.find(marker);
  if (at == std::string::npos) return series;
  const std::size_t count_begin = at + marker.size();
  const std::size_t count_end = chart.find("\">", count_begin);
  if (count_end == std::string::npos) return series;
  const std::string count = chart.substr(count_begin, count_end - count_begin);
  if (count.empty() || count.find_first_not_of("0123456789") != std::string::npos) return series;
  series.declared = std::stoi(count);
  // The group's polyline, if it starts the group: <polyline ... points="x,y x,y ...">.
  std::string drawn;
  const std::size_t body = count_end + 2;
  if (chart.compare(body, 9, "<polyline") == 0) {
    const std::size_t tag_end = chart.find('>', body);
    const std::size_t points_at = chart.find(" points=\"", body);
    if (points_at != std::string::npos && points_at < tag_end) {
      const std::size_t begin = points_at + 9;
      drawn = chart.substr(begin, chart.find('"', begin) - begin);
    }
  }
  std::istringstream points(drawn);
  std::string point;
  while (points >> point) {
    const std::size_t comma = point.find(',');
    series.polyline.emplace_back(std::stod(point.substr(0, comma)),
                                 std::stod(point.substr(comma + 1)));
  }
  return series;
}

struct HtmlTag {
  std::string whole;       // <name attributes>
  std::string name;        // without a leading '/'
  std::string attributes;  // everything after the name
};

// Every tag of `html`: a '<' followed by an optional '/' and a name starting with '!' or a
// letter, up to the next '>'. ('<' inside text that starts no name, like "a < b", is text.)
std::vector<HtmlTag> Tags(const std::string& html) {
  std::vector<HtmlTag> tags;
  for (std::size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    std::size_t name_begin = at + 1;
    if (name_begin < html.size() && html[name_begin] == '/') ++name_begin;
    if (name_begin >= html.size()) break;
    const char first = html[name_begin];
    if (first != '!' && std::isalpha(static_cast<unsigned char>(first)) == 0) continue;
    std::size_t name_end = name_begin + 1;
    while (name_end < html.size() &&
           std::isalnum(static_cast<unsigned char>(html[name_end])) != 0) {
      ++name_end;
    }
    const std::size_t close = html.find('>', name_end);
    if (close == std::string::npos) break;
    tags.push_back({html.substr(at, close - at + 1), html.substr(name_begin, name_end - name_begin),
                    html.substr(name_end, close - name_end)});
    at = close;
  }
  return tags;
}

std::string Millis(std::int64_t micros) { return FormatNumber(static_cast<double>(micros) / 1e3); }

TEST(BlastHtmlReportTest, ChromiumRendersTheChartsAndFiguresAndFetchesNothing) {
  ASSERT_EQ(std::system("test -x /usr/bin/chromium"), 0) << "tools/setup.sh installs chromium";
  const std::string no_network = NoNetworkPrefix();
  ASSERT_FALSE(no_network.empty()) << "needs unshare -n (root) or user namespaces";
  SinkOptions sink_options;
  sink_options.fail_rate = 0.25;  // some 503s for the breakdown
  sink_options.fail_status = 503;
  InProcessSink sink(sink_options);
  Trap trap;
  const std::string trap_url = "http://127.0.0.1:" + std::to_string(trap.port());
  const std::string report = ::testing::TempDir() + "/blast_report.html";
  const std::string url = sink.Url() + "?q=<img/src=" + trap_url + "/url>";
  test::ChildProcess blast({HOOKFAN_BINARY, "blast", url, "--rate", "400", "--count", "600",
                            "--header", "X-Evil: \"><img src=" + trap_url + "/header><!--",
                            "--header", "Authorization: Bearer sekrit-token", "--json", "--report",
                            report});
  ASSERT_EQ(blast.Wait(), 0) << blast.stdout_text() << blast.stderr_text();
  simdjson::dom::parser parser;
  simdjson::dom::element json;
  ASSERT_EQ(parser.parse(blast.stdout_text()).get(json), simdjson::SUCCESS);
  const std::string html = ReadAll(report);
  ASSERT_FALSE(html.empty());
  EXPECT_EQ(html.find("sekrit"), std::string::npos) << "credential-like header values are hidden";

  // Every tag of the file is one of these, and none references anything: no script, link,
  // image, frame or style import, so the page can load nothing.
  const std::set<std::string> allowed = {"!DOCTYPE", "html",     "head",   "meta", "title", "style",
                                         "body",     "h1",       "h2",     "p",    "code",  "br",
                                         "table",    "tr",       "th",     "td",   "svg",   "g",
                                         "line",     "polyline", "circle", "rect", "text"};
  int tags = 0;
  for (const HtmlTag& tag : Tags(html)) {
    ++tags;
    EXPECT_TRUE(allowed.contains(tag.name)) << tag.whole;
    for (const char* fetching : {"src=", "href=", "url(", "@import"}) {
      EXPECT_EQ(tag.attributes.find(fetching), std::string::npos) << tag.whole;
    }
  }
  EXPECT_GT(tags, 100);

  // The DOM as Chromium built it, with networking unusable (checked: the trap cannot be
  // reached from there).
  EXPECT_NE(std::system((no_network + "bash -c 'exec 3<>/dev/tcp/127.0.0.1/" +
                         std::to_string(trap.port()) + "' 2>/dev/null")
                            .c_str()),
            0);
  Chromium dom = RunChromium(no_network, "--dump-dom", report);
  ASSERT_EQ(dom.code, 0) << dom.err;
  EXPECT_EQ(dom.err.find(":CONSOLE"), std::string::npos) << dom.err;

  // The four charts, each series drawn with the points it declares, inside its viewBox.
  const std::string latency = Chart(dom.out, "latency-over-time");
  const std::string spectrum = Chart(dom.out, "percentile-spectrum");
  const std::string rate = Chart(dom.out, "rate-over-time");
  const std::string breakdown = Chart(dom.out, "breakdown");
  for (const std::string* chart : {&latency, &spectrum, &rate, &breakdown}) {
    EXPECT_TRUE(chart->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\""))
        << chart->substr(0, 100);
  }
  std::size_t seconds_measured = 0;
  for (simdjson::dom::element point : json["timeline"].get_array()) {
    if (point["completed"].get_uint64().value() > 0) ++seconds_measured;
  }
  ASSERT_GE(seconds_measured, 2u);  // 1.5 s of sends
  const std::pair<const std::string*, const char*> kSeries[] = {{&latency, "corrected p50"},
                                                                {&latency, "corrected p99"},
                                                                {&latency, "uncorrected p50"},
                                                                {&latency, "uncorrected p99"},
                                                                {&spectrum, "corrected"},
                                                                {&spectrum, "uncorrected"},
                                                                {&rate, "planned"},
                                                                {&rate, "sent (first attempts)"}};
  for (const auto& [chart, name] : kSeries) {
    const RenderedSeries series = Series(*chart, name);
    EXPECT_EQ(series.declared, static_cast<int>(series.polyline.size())) << name;
    for (const auto& [x, y] : series.polyline) {
      EXPECT_TRUE(x >= 0 && x <= 760 && y >= 0 && y <= 330) << name << " " << x << "," << y;
    }
  }
  EXPECT_EQ(Series(latency, "corrected p99").declared, static_cast<int>(seconds_measured));
  // 600 values: 3 decades of 1 / (1 - p) (to the 99.9th percentile), 24 points each, and 0%.
  EXPECT_EQ(Series(spectrum, "corrected").declared, 3 * 24 + 1);
  // Higher percentiles are drawn higher (SVG y grows downwards).
  const RenderedSeries corrected = Series(spectrum, "corrected");
  ASSERT_FALSE(corrected.polyline.empty());
  EXPECT_GT(corrected.polyline.front().second, corrected.polyline.back().second);
  EXPECT_LT(corrected.polyline.front().first, corrected.polyline.back().first);
  // Its x axis is labelled in percentiles, one per power of ten of 1 / (1 - p).
  for (const char* label : {">0%</text>", ">90%</text>", ">99%</text>", ">99.9%</text>"}) {
    EXPECT_NE(spectrum.find(label), std::string::npos) << label;
  }

  // The key figures are the run's own (its --json).
  const std::uint64_t ok = json["status"]["200"].get_uint64().value();
  const std::uint64_t failed = json["status"]["503"].get_uint64().value();
  EXPECT_EQ(ok + failed, 600u);
  EXPECT_GT(failed, 60u);  // about a quarter
  EXPECT_EQ(Figure(dom.out, "requests-ok"), std::to_string(ok));
  EXPECT_EQ(Figure(dom.out, "requests-errors"), std::to_string(failed));
  EXPECT_EQ(Figure(dom.out, "status-200"), std::to_string(ok));
  EXPECT_EQ(Figure(dom.out, "status-503"), std::to_string(failed));
  EXPECT_NE(breakdown.find("data-label=\"HTTP 200\" data-value=\"" + std::to_string(ok) + "\""),
            std::string::npos);
  EXPECT_NE(breakdown.find("data-label=\"HTTP 503\" data-value=\"" + std::to_string(failed) + "\""),
            std::string::npos);
  EXPECT_EQ(Figure(dom.out, "planned-rate"), "400.0/s");
  for (const char* kind : {"corrected", "uncorrected"}) {
    for (const char* p : {"p50", "p99"}) {
      const std::int64_t micros = json["latency_us"][kind][p].get_int64().value();
      EXPECT_EQ(Figure(dom.out, std::string(kind) + "-" + p), Millis(micros)) << kind << p;
    }
  }
  EXPECT_NE(dom.out.find("class=\"pass\">passed"), std::string::npos);
  // The hostile strings rendered as text, not as elements.
  EXPECT_EQ(dom.out.find("<img"), std::string::npos);
  EXPECT_NE(dom.out.find("&lt;img/src="), std::string::npos);
  EXPECT_NE(dom.out.find("X-Evil: \"&gt;&lt;img src="), std::string::npos);

  // A PNG of the page, with the network up this time: nothing connects to the trap that
  // the URL and header name, and the console shows no blocked load.
  const std::string png = report + ".png";
  Chromium shot = RunChromium("", "--screenshot=" + png, report);
  ASSERT_EQ(shot.code, 0) << shot.err;
  const std::string image = ReadAll(png);
  ASSERT_GT(image.size(), 20000u) << "a page of charts, not a blank one";
  EXPECT_EQ(image.substr(1, 3), "PNG");
  EXPECT_EQ(shot.err.find(":CONSOLE"), std::string::npos) << shot.err;
  EXPECT_FALSE(trap.Connected()) << "the page fetched something";
}

}  // namespace
}  // namespace hookfan::tools
