// `hookfan blast --report`: the page is rendered by headless Chromium (Debian's `chromium`,
// tools/setup.sh) and the test asserts on what rendered: the charts and key figures are in
// the DOM, hostile text from the URL and a header stays text, nothing was fetched (a trap
// listener on loopback gets no connection; Chromium logs no console error, which is where a
// blocked load would show), and the page renders to a PNG with the network namespace empty.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/tools/blast/in_process_sink.h"
#include "tests/tools/child_process.h"
#include "tools/blast/html_escape.h"

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

// Runs headless Chromium on the file with `mode` (--dump-dom or --screenshot=...). The
// console messages of the page go to stderr as "...:CONSOLE..." lines.
Chromium RunChromium(const std::string& prefix, const std::string& mode, const std::string& file) {
  const std::string out = file + ".out";
  const std::string err = file + ".err";
  const std::string command =
      prefix + "timeout 90 chromium --headless --no-sandbox --disable-gpu " +
      "--no-first-run --enable-logging=stderr --v=0 " + "--window-size=1100,2600 " + mode +
      " file://" + file + " >" + out + " 2>" + err;
  Chromium result;
  result.code = std::system(command.c_str());
  result.out = ReadAll(out);
  result.err = ReadAll(err);
  return result;
}

std::string Figure(const std::string& dom, const std::string& name) {
  std::smatch match;
  const std::regex pattern("data-figure=\"" + name + "\">([^<]*)<");
  return std::regex_search(dom, match, pattern) ? match[1].str() : "(missing)";
}

TEST(BlastHtmlReportTest, ChromiumRendersTheChartsAndFiguresAndFetchesNothing) {
  ASSERT_EQ(std::system("command -v chromium >/dev/null"), 0) << "tools/setup.sh installs it";
  InProcessSink sink;
  Trap trap;
  const std::string trap_url = "http://127.0.0.1:" + std::to_string(trap.port());
  const std::string report = ::testing::TempDir() + "/blast_report.html";
  const std::string url = sink.Url() + "?q=<img/src=" + trap_url + "/url>";
  test::ChildProcess blast({HOOKFAN_BINARY, "blast", url, "--rate", "400", "--count", "600",
                            "--header", "X-Evil: \"><img src=" + trap_url + "/header><!--",
                            "--header", "Authorization: Bearer sekrit-token", "--report", report});
  ASSERT_EQ(blast.Wait(), 0) << blast.stdout_text() << blast.stderr_text();
  const std::string html = ReadAll(report);
  ASSERT_FALSE(html.empty());
  EXPECT_EQ(html.find("sekrit"), std::string::npos) << "credential-like header values are hidden";

  // Every tag of the file is one of these, and none references anything: no script, link,
  // image, frame or style import, so the page can load nothing.
  const std::set<std::string> allowed = {"!DOCTYPE", "html",     "head",   "meta", "title", "style",
                                         "body",     "h1",       "h2",     "p",    "code",  "br",
                                         "table",    "tr",       "th",     "td",   "svg",   "g",
                                         "line",     "polyline", "circle", "rect", "text"};
  const std::regex tag("<(/?)([!A-Za-z][A-Za-z0-9]*)([^>]*)>");
  int tags = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator();
       ++it, ++tags) {
    EXPECT_TRUE(allowed.contains((*it)[2].str())) << (*it)[0].str();
    const std::string attributes = (*it)[3].str();
    for (const char* fetching : {"src=", "href=", "url(", "@import"}) {
      EXPECT_EQ(attributes.find(fetching), std::string::npos) << (*it)[0].str();
    }
  }
  EXPECT_GT(tags, 100);

  Chromium dom = RunChromium("", "--dump-dom", report);
  ASSERT_EQ(dom.code, 0) << dom.err;
  for (const char* id :
       {"latency-over-time", "percentile-spectrum", "rate-over-time", "breakdown"}) {
    EXPECT_NE(
        dom.out.find(
            std::string("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"") + id),
        std::string::npos)
        << id;
  }
  EXPECT_NE(dom.out.find("<polyline"), std::string::npos);
  EXPECT_NE(dom.out.find("data-series=\"corrected p99\""), std::string::npos);
  EXPECT_NE(dom.out.find("data-series=\"planned\""), std::string::npos);
  EXPECT_EQ(Figure(dom.out, "requests-ok"), "600");
  EXPECT_EQ(Figure(dom.out, "status-200"), "600");
  EXPECT_EQ(Figure(dom.out, "planned-rate"), "400.0/s");
  EXPECT_NE(Figure(dom.out, "corrected-p99"), "(missing)");
  EXPECT_NE(dom.out.find("class=\"pass\">passed"), std::string::npos);
  // The hostile strings rendered as text, not as elements.
  EXPECT_EQ(dom.out.find("<img"), std::string::npos);
  EXPECT_NE(dom.out.find("&lt;img/src="), std::string::npos);
  EXPECT_NE(dom.out.find("X-Evil: \"&gt;&lt;img src="), std::string::npos);
  EXPECT_EQ(dom.err.find(":CONSOLE"), std::string::npos) << dom.err;
  EXPECT_FALSE(trap.Connected()) << "the page fetched something";

  // With no network at all (an empty network namespace, when this user may make one).
  const bool unshare = std::system("unshare -n true 2>/dev/null") == 0;
  const std::string png = report + ".png";
  Chromium shot = RunChromium(unshare ? "unshare -n " : "", "--screenshot=" + png, report);
  ASSERT_EQ(shot.code, 0) << shot.err;
  const std::string image = ReadAll(png);
  ASSERT_GT(image.size(), 20000u) << "a page of charts, not a blank one";
  EXPECT_EQ(image.substr(1, 3), "PNG");
  EXPECT_EQ(shot.err.find(":CONSOLE"), std::string::npos) << shot.err;
}

}  // namespace
}  // namespace hookfan::tools
