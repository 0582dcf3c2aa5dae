// Collects, once per model, every op rule's importance members and maps them onto groups.

import type { ChannelGroup, GroupSet } from '../groups';
import type { GroupMember } from './criterion';

export function collectGroupMembers(gs: GroupSet): (group: ChannelGroup) => readonly GroupMember[] {
  const cg = gs.graph;
  const byGroup = new Map<number, GroupMember[]>();
  const channelOfComponent = new Int32Array(cg.componentCount).fill(-1);
  for (const g of gs.groups) g.components.forEach((c, i) => (channelOfComponent[c] = i));
  for (const node of cg.order) {
    if (cg.patternOf(node)) continue;
    const rule = cg.registry.get(node.opType);
    if (!rule?.members) continue;
    for (const member of rule.members({
      node,
      channels: (t) => cg.tensors.get(t)?.channels,
      constant: cg.constant,
    })) {
      const t = cg.tensors.get(member.tensor);
      if (!t) continue;
      const perGroup = new Map<number, { tensorChannel: number; groupChannel: number }[]>();
      for (let c = 0; c < t.channels; c++) {
        const comp = cg.componentOfElement[t.base + c]!;
        const gi = gs.groupOfComponent[comp]!;
        if (gi < 0) continue;
        const list = perGroup.get(gi) ?? [];
        list.push({ tensorChannel: c, groupChannel: channelOfComponent[comp]! });
        perGroup.set(gi, list);
      }
      for (const [gi, entries] of perGroup) {
        const list = byGroup.get(gi) ?? [];
        list.push({ member, entries });
        byGroup.set(gi, list);
      }
    }
  }
  const indexOf = new Map(gs.groups.map((g, i) => [g, i]));
  return (group) => byGroup.get(indexOf.get(group)!) ?? [];
}
