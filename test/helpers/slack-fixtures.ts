/**
 * Real Slack payloads, copied from ../shared/fixtures/slack/*.json (captured from Slack's docs and
 * bolt-js tests). Tests build their requests from these, overriding only ids and values.
 */

/** block_actions-button-on-message.json */
export const blockActionsButtonOnMessage = {
  "type": "block_actions",
  "user": {
    "id": "U111"
  },
  "api_app_id": "A111",
  "container": {
    "type": "message",
    "message_ts": "1678252213.679169",
    "channel_id": "C111",
    "is_ephemeral": false
  },
  "trigger_id": "4916855695380.xxx.yyy",
  "team": {
    "id": "T0G9PQBBK"
  },
  "enterprise": null,
  "is_enterprise_install": false,
  "channel": {
    "id": "C111"
  },
  "message": {
    "bot_id": "B111",
    "type": "message",
    "text": "This is a section block with a button.",
    "user": "U222",
    "ts": "1678252213.679169",
    "app_id": "A111",
    "blocks": [
      {
        "type": "section",
        "block_id": "8KR",
        "text": {
          "type": "mrkdwn",
          "text": "This is a section block with a button.",
          "verbatim": false
        },
        "accessory": {
          "type": "button",
          "action_id": "button",
          "text": {
            "type": "plain_text",
            "text": "Click Me"
          },
          "value": "clicked"
        }
      }
    ],
    "team": "T0G9PQBBK"
  },
  "state": {
    "values": {}
  },
  "response_url": "https://hooks.slack.com/actions/T0G9PQBBK/111/xxxx",
  "actions": [
    {
      "action_id": "button",
      "block_id": "8KR",
      "text": {
        "type": "plain_text",
        "text": "Click Me"
      },
      "value": "clicked",
      "type": "button",
      "action_ts": "1678252216.469172"
    }
  ]
};

/** view_submission-plain_text_input.json */
export const viewSubmissionPlainTextInput = {
  "type": "view_submission",
  "team": {
    "id": "T111",
    "domain": "workspace-domain",
    "enterprise_id": "E111",
    "enterprise_name": "Sandbox Org"
  },
  "user": {
    "id": "W111",
    "username": "primary-owner",
    "name": "primary-owner",
    "team_id": "T111"
  },
  "api_app_id": "A111",
  "token": "verification_token",
  "trigger_id": "111.222.valid",
  "view": {
    "id": "V111",
    "team_id": "T111",
    "type": "modal",
    "blocks": [
      {
        "type": "input",
        "block_id": "hspI",
        "label": {
          "type": "plain_text",
          "text": "Label"
        },
        "optional": false,
        "element": {
          "type": "plain_text_input",
          "action_id": "maBWU"
        }
      }
    ],
    "private_metadata": "This is for you!",
    "callback_id": "view-id",
    "state": {
      "values": {
        "hspI": {
          "maBWU": {
            "type": "plain_text_input",
            "value": "test"
          }
        }
      }
    },
    "hash": "1596530361.3wRYuk3R",
    "title": {
      "type": "plain_text",
      "text": "My App"
    },
    "clear_on_close": false,
    "notify_on_close": false,
    "close": {
      "type": "plain_text",
      "text": "Cancel"
    },
    "submit": {
      "type": "plain_text",
      "text": "Submit"
    },
    "previous_view_id": null,
    "root_view_id": "V111",
    "app_id": "A111",
    "external_id": "",
    "app_installed_team_id": "T111",
    "bot_id": "B111"
  },
  "response_urls": []
};

/** slash_command-form-fields.json */
export const slashCommandFormFields = {
  "token": "verification_token",
  "team_id": "T111",
  "team_domain": "test-domain",
  "channel_id": "C111",
  "channel_name": "random",
  "user_id": "W111",
  "user_name": "primary-owner",
  "command": "/hello-world",
  "text": "Hi",
  "enterprise_id": "E111",
  "enterprise_name": "Org Name",
  "response_url": "https://hooks.slack.com/commands/T111/111/xxxxx",
  "trigger_id": "111.111.xxx"
};

/** app_mention-event_callback.json */
export const appMentionEventCallback = {
  "token": "verification_token",
  "team_id": "T111",
  "enterprise_id": "E111",
  "api_app_id": "A111",
  "event": {
    "client_msg_id": "9cbd4c5b-7ddf-4ede-b479-ad21fca66d63",
    "type": "app_mention",
    "text": "<@W111> Hi there!",
    "user": "W222",
    "ts": "1595926230.009600",
    "team": "T111",
    "channel": "C111",
    "event_ts": "1595926230.009600"
  },
  "type": "event_callback",
  "event_id": "Ev111",
  "event_time": 1595926230,
  "authed_users": [
    "W111"
  ]
};

/** url_verification.json */
export const urlVerification = {
  "token": "verification_token",
  "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
  "type": "url_verification"
};
