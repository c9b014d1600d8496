#include "store/state_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace tern::store {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tern-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto s = StateStore::Open((dir_ / "state.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  static VmRecord Vm(const std::string& name) {
    return {name, "uuid-" + name, "h1", "running", "/m.yaml", "i-1", 1, 1};
  }
  static LayerRecord Layer(const std::string& vm, const std::string& cls, int prio) {
    return {vm, cls, prio, 1, "origin", "/iso/" + cls, "sda", 5, "deploy", ""};
  }
  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(StateStoreTest, InsertGetListDelete) {
  ASSERT_TRUE(store_->InsertVm(Vm("a"), {Layer("a", "service", 10), Layer("a", "infrastructure", 20)}).ok());
  auto vm = store_->GetVm("a");
  ASSERT_TRUE(vm.ok());
  EXPECT_EQ(vm->uuid, "uuid-a");
  auto layers = store_->ListLayers("a");
  ASSERT_TRUE(layers.ok());
  ASSERT_EQ(layers->size(), 2u);
  EXPECT_EQ((*layers)[0].class_name, "service");
  EXPECT_EQ((*layers)[1].class_name, "infrastructure");
  ASSERT_TRUE(store_->DeleteVm("a").ok());
  EXPECT_EQ(store_->GetVm("a").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListLayers("a")->empty());
  EXPECT_EQ(store_->DeleteVm("a").code(), StatusCode::kNotFound);
}

TEST_F(StateStoreTest, DuplicateNameIsRefusedAndLeavesNothingHalfWritten) {
  ASSERT_TRUE(store_->InsertVm(Vm("a"), {Layer("a", "service", 10)}).ok());
  VmRecord other = Vm("a");
  other.uuid = "other";
  const Status s = store_->InsertVm(other, {Layer("a", "broker", 30)});
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetVm("a")->uuid, "uuid-a");
  EXPECT_EQ(store_->ListLayers("a")->size(), 1u);
}

TEST_F(StateStoreTest, LayerWithoutVmRollsBackTheVm) {
  // A layer row that violates the schema (duplicate class) aborts the whole insert.
  const Status s = store_->InsertVm(Vm("b"), {Layer("b", "service", 10), Layer("c", "service", 10)});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(store_->GetVm("b").status().code(), StatusCode::kNotFound);
}

TEST_F(StateStoreTest, UpsertLayerBumpsGenerationAndEventsAreOrdered) {
  ASSERT_TRUE(store_->InsertVm(Vm("a"), {Layer("a", "infrastructure", 20)}).ok());
  LayerRecord l = Layer("a", "infrastructure", 20);
  l.generation = 2;
  l.reason = "recontext";
  ASSERT_TRUE(store_->UpsertLayer(l).ok());
  EXPECT_EQ(store_->ListLayers("a")->at(0).generation, 2u);
  EXPECT_EQ(store_->ListLayers("a")->at(0).reason, "recontext");
  EXPECT_TRUE(store_->AppendEvent({0, "nobody", 1, "lifecycle", "x"}).ok());
  EXPECT_TRUE(store_->ListEvents("nobody", 10)->empty());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store_->AppendEvent({0, "a", i, "lifecycle", std::to_string(i)}).ok());
  auto ev = store_->ListEvents("a", 3);
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 3u);
  EXPECT_EQ((*ev)[0].detail, "2");
  EXPECT_EQ((*ev)[2].detail, "4");
  ASSERT_TRUE(store_->UpdateVmState("a", "paused", 9).ok());
  EXPECT_EQ(store_->GetVm("a")->state, "paused");
  EXPECT_EQ(store_->UpdateVmState("zz", "paused", 9).code(), StatusCode::kNotFound);
}

TEST_F(StateStoreTest, ReopenKeepsData) {
  ASSERT_TRUE(store_->InsertVm(Vm("a"), {}).ok());
  store_.reset();
  auto s = StateStore::Open((dir_ / "state.db").string());
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->GetVm("a").ok());
}

}  // namespace
}  // namespace tern::store

namespace tern::store {
namespace {

TEST_F(StateStoreTest, DepartureRemovesTheVmAndIsForgottenOnReturn) {
  ASSERT_TRUE(store_->InsertVm(Vm("a"), {Layer("a", "service", 10)}).ok());
  ASSERT_TRUE(store_->AppendEvent({0, "a", 1, "deploy", "x"}).ok());
  ASSERT_TRUE(store_->RecordDeparture({"a", "uuid-a", "h2", 7}).ok());
  EXPECT_EQ(store_->GetVm("a").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListLayers("a")->empty());
  EXPECT_TRUE(store_->ListEvents("a", 10)->empty());
  auto d = store_->GetDeparture("a");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->to_host, "h2");
  ASSERT_TRUE(store_->InsertVm(Vm("a"), {}).ok());
  EXPECT_EQ(store_->GetDeparture("a").status().code(), StatusCode::kNotFound);
}

TEST_F(StateStoreTest, LayerDigestIsKept) {
  LayerRecord l = Layer("a", "infrastructure", 20);
  l.digest = "00ff";
  ASSERT_TRUE(store_->InsertVm(Vm("a"), {l}).ok());
  EXPECT_EQ(store_->ListLayers("a")->at(0).digest, "00ff");
}

}  // namespace
}  // namespace tern::store
