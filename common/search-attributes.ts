import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from './constants';

/** Typed keys of our custom search attributes (names and types from SEARCH_ATTRIBUTES). */
export const searchKeys = {
  model: defineSearchAttributeKey(SEARCH_ATTRIBUTES.model.name, SearchAttributeType.KEYWORD),
  planner: defineSearchAttributeKey(SEARCH_ATTRIBUTES.planner.name, SearchAttributeType.KEYWORD),
  target: defineSearchAttributeKey(SEARCH_ATTRIBUTES.target.name, SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey(SEARCH_ATTRIBUTES.stage.name, SearchAttributeType.KEYWORD),
};
