#include "engine/events/ingest_parser.h"

#include <gtest/gtest.h>

namespace hookfan::engine {
namespace {

IngestLimits SmallLimits() {
  IngestLimits limits;
  limits.max_payload_bytes = 64;
  limits.max_batch_events = 3;
  return limits;
}

TEST(IngestParserTest, SingleEventKeepsPayloadBytesExactly) {
  IngestParser parser(SmallLimits());
  auto events = parser.ParseBody(
      R"({"id":"evt_1","type":"pass.created","channels":["eu"],"payload":{ "a" : [1, 2.50] }})");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  const Event& event = *(*events)[0];
  EXPECT_EQ(event.id, "evt_1");
  EXPECT_EQ(event.type, "pass.created");
  EXPECT_EQ(event.channels, std::vector<std::string>{"eu"});
  EXPECT_EQ(event.payload, R"({ "a" : [1, 2.50] })");
}

TEST(IngestParserTest, ScalarAndArrayPayloadsAreKeptRaw) {
  IngestParser parser(SmallLimits());
  auto events = parser.ParseBody(
      R"([{"type":"a","payload":"text \u00e9"},{"type":"b","payload":[1,{"x":null}]},)"
      R"({"type":"c","payload":12.5e3 }])");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0]->payload, R"("text \u00e9")");
  EXPECT_EQ((*events)[1]->payload, R"([1,{"x":null}])");
  EXPECT_EQ((*events)[2]->payload, "12.5e3");
}

TEST(IngestParserTest, MissingIdIsGenerated) {
  IngestParser parser(SmallLimits());
  auto events = parser.ParseBody(R"({"type":"a","payload":{}})");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0]->id.substr(0, 4), "msg_");
}

TEST(IngestParserTest, BadInputNamesTheProblem) {
  IngestParser parser(SmallLimits());
  struct Case {
    const char* body;
    const char* message_start;
  };
  const Case cases[] = {
      {R"({"type":"a","payload":{})", "body: malformed JSON"},
      {R"({"type":"a","payload":{"x":tru}})", "body: malformed JSON"},
      {R"("just a string")", "body: must be an event object"},
      {R"({"payload":{}})", "event.type: missing"},
      {R"({"type":"a"})", "event.payload: missing"},
      {R"({"type":7,"payload":{}})", "event.type: must be a string"},
      {R"({"type":"has space","payload":{}})", "event.type: ' ' at offset 3 is not allowed"},
      {R"({"id":"a.b","type":"t","payload":{}})", "event.id: '.' at offset 1 is not allowed"},
      {R"({"type":"","payload":{}})", "event.type: must not be empty"},
      {R"({"type":"a","channels":"eu","payload":{}})", "event.channels: must be an array"},
      {R"({"type":"a","colour":"red","payload":{}})", "event.colour: unknown field"},
      {R"([{"type":"a","payload":1},{"payload":1}])", "events[1].type: missing"},
      {R"([])", "events: empty array"},
  };
  for (const Case& c : cases) {
    auto events = parser.ParseBody(c.body);
    ASSERT_FALSE(events.ok()) << c.body;
    EXPECT_EQ(events.status().code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_EQ(events.status().message().rfind(c.message_start, 0), 0u)
        << c.body << " gave: " << events.status().message();
    EXPECT_EQ(HttpStatusForIngestError(events.status()), 400);
  }
}

TEST(IngestParserTest, LimitsAreEnforcedWith413) {
  IngestParser parser(SmallLimits());
  std::string big = R"({"type":"a","payload":")" + std::string(100, 'x') + R"("})";
  auto too_big = parser.ParseBody(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(HttpStatusForIngestError(too_big.status()), 413);
  EXPECT_NE(too_big.status().message().find("over the limit of 64"), std::string::npos);

  auto too_many = parser.ParseBody(
      R"([{"type":"a","payload":1},{"type":"a","payload":1},{"type":"a","payload":1},)"
      R"({"type":"a","payload":1}])");
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(HttpStatusForIngestError(too_many.status()), 413);
  EXPECT_NE(too_many.status().message().find("batch limit of 3"), std::string::npos);
}

TEST(IngestParserTest, NdjsonLineErrorsCarryTheLineNumber) {
  IngestParser parser(SmallLimits());
  auto good = parser.ParseLine(R"({"type":"a","payload":{"k":1}})", 1);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ((*good)->payload, R"({"k":1})");
  auto bad = parser.ParseLine(R"({"type":"a"})", 42);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "line 42: event.payload: missing");
  auto garbage = parser.ParseLine("{nope", 7);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message().rfind("line 7: malformed JSON", 0), 0u);
}

TEST(IngestParserTest, WhitespaceAfterPayloadIsNotPartOfIt) {
  // Found by tests/fuzz/ingest_body_fuzz.cc: object and array payloads kept the spaces
  // between their closing bracket and the next comma or brace, and those counted against
  // the size limit.
  IngestParser parser(SmallLimits());
  const std::string padding(100, ' ');
  auto events = parser.ParseBody(R"([{"type":"a","payload":{"k":1} )" + padding + "\r\n\t},\n" +
                                 R"({"payload":[1, 2])" + padding + R"(,"type":"b"}])");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ((*events)[0]->payload, R"({"k":1})");
  EXPECT_EQ((*events)[1]->payload, "[1, 2]");
  auto line = parser.ParseLine(R"({"type":"a","payload":{"k":[]})" + padding + "}\r", 1);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ((*line)->payload, R"({"k":[]})");
}

TEST(IngestParserTest, RepeatedFieldsAreRefusedNamingTheField) {
  // Issue 9: "last one wins" silently dropped the first value; now each field appears once.
  IngestParser parser(SmallLimits());
  struct Case {
    std::string body, message;
  } cases[] = {
      {R"({"type":"t1","type":"t2","payload":1})", "event.type: given twice"},
      {R"({"id":"a","type":"t","id":"b","payload":1})", "event.id: given twice"},
      {R"({"channels":["a"],"type":"t","channels":["b"],"payload":1})",
       "event.channels: given twice"},
      {R"({"type":"t","payload":1,"payload":{"k":2}})", "event.payload: given twice"},
      // Escapes are undone before comparing: "\u0074ype" is "type".
      {R"({"type":"t","\u0074ype":"u","payload":1})", "event.type: given twice"},
      {R"([{"type":"t","payload":1},{"type":"t","payload":1,"payload":2}])",
       "events[1].payload: given twice"},
  };
  for (const Case& c : cases) {
    auto events = parser.ParseBody(c.body);
    ASSERT_FALSE(events.ok()) << c.body;
    EXPECT_EQ(events.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(events.status().message().rfind(c.message, 0), 0u)
        << c.body << " -> " << events.status().message();
  }
  auto line = parser.ParseLine(R"({"type":"t","payload":1,"type":"t"})", 4);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.status().message(),
            "line 4: event.type: given twice (each field may appear once)");
  // The same fields once each are fine.
  EXPECT_TRUE(parser.ParseBody(R"({"id":"a","type":"t","channels":["b"],"payload":1})").ok());
}

TEST(IngestParserTest, ParserIsReusableAfterErrors) {
  IngestParser parser(SmallLimits());
  ASSERT_FALSE(parser.ParseBody("{").ok());
  auto events = parser.ParseBody(R"({"type":"a","payload":[]})");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0]->payload, "[]");
}

}  // namespace
}  // namespace hookfan::engine
