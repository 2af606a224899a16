/**
 * Real Feishu payloads, copied verbatim from ../shared/fixtures/feishu/ (see its README for the
 * sources: the Feishu Open Platform docs "卡片回传交互回调" and "接收消息", and larksuite/node-sdk's
 * challenge test). Tests build their payloads from these, changing only ids, tokens and values.
 */

/** card.action.trigger-button-reconstructed.json */
export const CARD_ACTION_BUTTON = {
  schema: '2.0',
  header: {
    event_id: 'f7984f25108f8137722bb63c*****',
    token: '066zT6pS4QCbgj5Do145GfDbbag*****',
    create_time: '1603977298000000',
    event_type: 'card.action.trigger',
    tenant_key: '2df73991750*****',
    app_id: 'cli_a5fb0ae6a4******',
  },
  event: {
    operator: {
      tenant_key: '2df73991750*****',
      user_id: '867*****',
      open_id: 'ou_3c14f3a59eaf2825dbe25359f15*****',
      union_id: 'on_cad4860e7af114fb4ff6c5d496d*****',
    },
    token: 'c-295ee57216a5dc9de90fefd0aadb4b1d7d******',
    action: { value: { key: 'value' } as Record<string, unknown>, tag: 'button', name: 'Button_lvkepfu3' },
    host: 'im_message',
    context: { open_message_id: 'om_574d639e4a44e4dd646eaf628e2*****', open_chat_id: 'oc_e4d2605ca917e695f54f11aaf56*****' },
  },
};

/** card.action.trigger-form-submit-reconstructed.json */
export const CARD_ACTION_FORM_SUBMIT = {
  schema: '2.0',
  header: { ...CARD_ACTION_BUTTON.header },
  event: {
    ...CARD_ACTION_BUTTON.event,
    action: {
      value: { key: 'value' } as Record<string, unknown>,
      tag: 'button',
      timezone: 'Asia/Shanghai',
      form_value: {
        'field name1': ['selectDemo1', 'selectDemo2'],
        'field name2': 'value2',
        DatePicker_bpqdq5puvn4: '2024-04-01 +0800',
        DateTimePicker_ihz2d7a74i: '2024-04-29 07:07 +0800',
        Input_lf4fmxwfrd9: '1234',
        PersonSelect_2ejys7ype7m: 'ou_3c14f3a59eaf2825dbe25359f15*****',
        Select_a2d5b7l3zd: '1',
        TimePicker_7ecsf6xkqsq: '00:00 +0800',
      } as Record<string, unknown>,
      name: 'Button_lvkepfu3',
    },
  },
};

/** im.message.receive_v1-group-at-mention.json */
export const MESSAGE_GROUP_AT = {
  schema: '2.0',
  header: {
    event_id: '5e3702a84e847582be8db7fb73283c02',
    event_type: 'im.message.receive_v1',
    create_time: '1608725989000',
    token: 'VERIFICATION_TOKEN_PLACEHOLDER',
    app_id: 'cli_9f5343c580712544',
    tenant_key: '2ca1d211f64f6438',
  },
  event: {
    sender: {
      sender_id: { union_id: 'on_8ed6aa67826108097d9ee143816345', user_id: 'e33ggbyz', open_id: 'ou_84aad35d084aa403a838cf73ee18467' },
      sender_type: 'user',
      tenant_key: '736588c9260f175e',
    },
    message: {
      message_id: 'om_5ce6d572455d361153b7cb51da133945',
      root_id: 'om_5ce6d572455d361153b7cb5xxfsdfsdfdsf',
      parent_id: 'om_5ce6d572455d361153b7cb5xxfsdfsdfdsf',
      create_time: '1609073151345',
      update_time: '1687343654666',
      chat_id: 'oc_5ce6d572455d361153b7xx51da133945',
      thread_id: 'omt_d4be107c616',
      chat_type: 'group',
      message_type: 'text',
      content: '{"text":"@_user_1 hello"}',
      mentions: [
        {
          key: '@_user_1',
          id: { union_id: 'on_8ed6aa67826108097d9ee143816345', user_id: 'e33ggbyz', open_id: 'ou_84aad35d084aa403a838cf73ee18467' },
          name: 'Tom',
          tenant_key: '736588c9260f175e',
        },
      ],
      user_agent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 13_2_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/101.0.4951.53 Safari/537.36 Lark/6.7.5 LarkLocale/en_US ttnet SDK-Version/6.7.8',
    },
  },
};

/** url_verification.json (Feishu's docs also send the verification token as `token`). */
export const URL_VERIFICATION = { challenge: 'ajls384kdjx98XX', type: 'url_verification' };
