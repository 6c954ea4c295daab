#pragma once
// HtmlEscape: text made safe to put between tags or inside a quoted attribute of the HTML
// or SVG that `hookfan blast --report` writes. Everything the run did not make itself (the
// URL, --header values, names and messages) goes through it, so a hostile URL or header
// cannot open a tag, end an attribute or start a comment:
//
//   html += "<td>" + HtmlEscape(options.url_text) + "</td>";
//
// & < > " ' become entities; control characters other than tab and newline (which HTML
// cannot hold as text anyway) become U+FFFD. Bytes >= 0x80 pass through: the page is UTF-8
// and a browser shows a malformed sequence as U+FFFD, never as markup.

#include <string>
#include <string_view>

namespace hookfan::tools {

std::string HtmlEscape(std::string_view text);

}  // namespace hookfan::tools
