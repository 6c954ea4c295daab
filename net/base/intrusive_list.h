#pragma once
// A doubly-linked list threaded through a link that each element inherits: pushing,
// popping and removing from the middle allocate nothing and never fail. The list does not
// own its elements. An element type may sit in several lists at once by inheriting one link
// per tag.
//
//   struct QueueTag {};
//   struct Job : IntrusiveLink<QueueTag> { int id; };
//   IntrusiveList<Job, QueueTag> queue;
//   queue.PushBack(&job);
//   Job* next = queue.PopFront();   // nullptr when empty
//
// Header-only because it is a template.

#include <cstddef>

#include "net/base/check.h"

namespace hookfan::net {

template <typename Tag>
class IntrusiveLink {
 public:
  IntrusiveLink() = default;
  IntrusiveLink(const IntrusiveLink&) = delete;
  IntrusiveLink& operator=(const IntrusiveLink&) = delete;

  bool linked() const { return prev_ != nullptr; }

 private:
  template <typename, typename>
  friend class IntrusiveList;

  IntrusiveLink* prev_ = nullptr;
  IntrusiveLink* next_ = nullptr;
};

template <typename T, typename Tag>
class IntrusiveList {
 public:
  using Link = IntrusiveLink<Tag>;

  IntrusiveList() { head_.prev_ = head_.next_ = &head_; }
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  bool empty() const { return head_.next_ == &head_; }
  std::size_t size() const { return size_; }

  T* front() const { return empty() ? nullptr : Owner(head_.next_); }
  T* back() const { return empty() ? nullptr : Owner(head_.prev_); }

  void PushBack(T* item) { InsertBefore(&head_, AsLink(item)); }
  void PushFront(T* item) { InsertBefore(head_.next_, AsLink(item)); }

  T* PopFront() {
    if (empty()) return nullptr;
    T* item = Owner(head_.next_);
    Remove(item);
    return item;
  }
  T* PopBack() {
    if (empty()) return nullptr;
    T* item = Owner(head_.prev_);
    Remove(item);
    return item;
  }

  void Remove(T* item) {
    Link* link = AsLink(item);
    HOOKFAN_DCHECK(link->linked());
    link->prev_->next_ = link->next_;
    link->next_->prev_ = link->prev_;
    link->prev_ = link->next_ = nullptr;
    --size_;
  }

 private:
  static Link* AsLink(T* item) { return static_cast<Link*>(item); }
  static T* Owner(Link* link) { return static_cast<T*>(link); }

  void InsertBefore(Link* position, Link* link) {
    HOOKFAN_DCHECK(!link->linked());
    link->prev_ = position->prev_;
    link->next_ = position;
    position->prev_->next_ = link;
    position->prev_ = link;
    ++size_;
  }

  Link head_;
  std::size_t size_ = 0;
};

}  // namespace hookfan::net
