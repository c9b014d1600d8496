#include "net/membership.h"

#include <gtest/gtest.h>

namespace tern::net {
namespace {

Endpoint Ep(int i) {
  return Endpoint::V4(0x0a000000u + static_cast<uint32_t>(i), 7000);
}

MembershipConfig Fast() {
  MembershipConfig c;
  c.heartbeat_interval = 100;
  c.suspect_after = 300;
  c.dead_after = 600;
  c.tombstone_for = 2000;
  return c;
}

// Delivers every queued message between the given memberships (index i lives at Ep(i)) until quiet.
void Deliver(std::vector<Membership*> ms, std::vector<Outbox>& boxes, TimeNs now) {
  for (int round = 0; round < 10; ++round) {
    bool any = false;
    for (size_t from = 0; from < ms.size(); ++from) {
      Outbox box = std::exchange(boxes[from], {});
      for (auto& o : box) {
        for (size_t to = 0; to < ms.size(); ++to) {
          if (Ep(static_cast<int>(to)) == o.to && ms[to] != nullptr) {
            ms[to]->OnControl(Ep(static_cast<int>(from)), ms[from]->self_id(), o.msg, now, boxes[to]);
            any = true;
          }
        }
      }
    }
    if (!any) return;
  }
}

TEST(MembershipTest, JoinThroughAnyMemberBuildsFullMesh) {
  Membership a(101, Fast()), b(102, Fast()), c(103, Fast());
  std::vector<Membership*> ms{&a, &b, &c};
  std::vector<Outbox> boxes(3);
  b.Join(Ep(0), 0, boxes[1]);
  Deliver(ms, boxes, 0);
  EXPECT_EQ(b.state(), SelfState::kMember);
  ASSERT_EQ(a.peers().size(), 1u);
  c.Join(Ep(1), 1, boxes[2]);  // through b, not the founder
  Deliver(ms, boxes, 1);
  EXPECT_EQ(a.peers().size(), 2u);
  EXPECT_EQ(b.peers().size(), 2u);
  EXPECT_EQ(c.peers().size(), 2u);
  EXPECT_NE(a.Find(103), nullptr);  // c announced itself to a
}

TEST(MembershipTest, JoinRetriesUntilSeedAnswers) {
  Membership b(102, Fast());
  Outbox out;
  b.Join(Ep(0), 0, out);
  EXPECT_EQ(out.size(), 1u);
  out.clear();
  b.Tick(50, out);
  EXPECT_TRUE(out.empty());
  b.Tick(100, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].msg.kind, ControlKind::kJoin);
}

TEST(MembershipTest, HeartbeatsAndFailureDetection) {
  Membership a(101, Fast());
  Outbox out;
  a.OnControl(Ep(1), 102, ControlMessage{ControlKind::kAnnounce, {}}, 0, out);
  ASSERT_EQ(a.peers().size(), 1u);
  a.TakeEvents();
  a.Tick(0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].msg.kind, ControlKind::kHeartbeat);
  a.Tick(350, out);
  EXPECT_EQ(a.peers()[0].state, PeerState::kSuspect);
  a.OnControl(Ep(1), 102, ControlMessage{ControlKind::kHeartbeat, {}}, 400, out);
  EXPECT_EQ(a.peers()[0].state, PeerState::kAlive);
  a.Tick(1001, out);
  EXPECT_TRUE(a.peers().empty());
  auto ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, MembershipEvent::Kind::kRemoved);
  EXPECT_NE(ev[0].reason.find("no message"), std::string::npos);
  // Gossip about the dead session does not resurrect it while tombstoned.
  ControlMessage hb{ControlKind::kHeartbeat, {{102, Ep(1)}}};
  a.OnControl(Ep(2), 103, hb, 1100, out);
  EXPECT_EQ(a.Find(102), nullptr);
  EXPECT_NE(a.Find(103), nullptr);
}

TEST(MembershipTest, CleanLeave) {
  Membership a(101, Fast()), b(102, Fast());
  std::vector<Membership*> ms{&a, &b};
  std::vector<Outbox> boxes(2);
  b.Join(Ep(0), 0, boxes[1]);
  Deliver(ms, boxes, 0);
  ASSERT_EQ(a.peers().size(), 1u);
  b.Leave(boxes[1]);
  Deliver(ms, boxes, 1);
  EXPECT_TRUE(a.peers().empty());
  EXPECT_EQ(b.state(), SelfState::kLeft);
  // A late data message of the departed session is not accepted.
  EXPECT_EQ(a.OnData(Ep(1), 102, 2), nullptr);
}

TEST(MembershipTest, RestartReplacesOldSessionAtSameAddress) {
  Membership a(101, Fast());
  Outbox out;
  a.OnControl(Ep(1), 102, ControlMessage{ControlKind::kJoin, {}}, 0, out);
  const uint32_t old_index = a.peers()[0].index;
  a.TakeEvents();
  a.OnControl(Ep(1), 202, ControlMessage{ControlKind::kJoin, {}}, 10, out);  // restarted daemon, new session
  ASSERT_EQ(a.peers().size(), 1u);
  EXPECT_EQ(a.peers()[0].id, 202u);
  EXPECT_NE(a.peers()[0].index, old_index);
  auto ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, MembershipEvent::Kind::kRemoved);
  EXPECT_EQ(ev[1].kind, MembershipEvent::Kind::kAdded);
}

TEST(MembershipTest, RestartedFounderIsRejoinedThroughItsSeedOrHeartbeats) {
  // c joined through a; a restarts (new session, forgets everything) and receives c's heartbeat.
  Membership a2(201, Fast());
  Outbox out;
  a2.OnControl(Ep(2), 103, ControlMessage{ControlKind::kHeartbeat, {{102, Ep(1)}}}, 0, out);
  EXPECT_NE(a2.Find(103), nullptr);
  EXPECT_NE(a2.Find(102), nullptr);  // learned by gossip, announced to
  bool announced = false;
  for (auto& o : out) announced = announced || (o.to == Ep(1) && o.msg.kind == ControlKind::kAnnounce);
  EXPECT_TRUE(announced);
}

TEST(MembershipTest, ReplayWindow) {
  ReplayWindow w;
  EXPECT_TRUE(w.Accept(5));
  EXPECT_FALSE(w.Accept(5));
  EXPECT_TRUE(w.Accept(3));
  EXPECT_TRUE(w.Accept(100));
  EXPECT_FALSE(w.Accept(3));
  EXPECT_TRUE(w.Accept(99));
  EXPECT_FALSE(w.Accept(36));  // older than the window
}

}  // namespace
}  // namespace tern::net
