import { type App } from '../app';
import { avatar, h, mount, timeOf } from '../dom';
import { type FeedGroup, type Story } from '../types';

/**
 * The strip: my stories, then my contacts' (unseen first), and a form to post a text story. The
 * form is built once, so a feed reload while typing keeps the text.
 */
export class StoriesStrip {
  readonly element = h('section', { class: 'stories', testid: 'stories', 'aria-label': 'Stories' });
  private readonly bubbles = h('div', { class: 'story-bubbles' });
  private readonly text = h('input', {
    testid: 'story-text',
    placeholder: 'A text story for your contacts…',
    maxlength: 1024,
    required: true,
    'aria-label': 'Story text',
  });

  constructor(private readonly app: App) {
    const form = h(
      'form',
      {
        class: 'story-form',
        testid: 'story-form',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          if (await app.postStory(this.text.value.trim())) this.text.value = '';
        },
      },
      this.text,
      h('button', { type: 'submit', class: 'primary', testid: 'story-post' }, 'Post story'),
    );
    mount(this.element, this.bubbles, form);
  }

  render(): void {
    const app = this.app;
    const mine = app.myStories;
    const views = mine.reduce((sum, story) => sum + story.viewCount, 0);
    const hint =
      app.feedNote ??
      (app.feed.length === 0 ? 'Stories of the people you chat with show up here.' : undefined);
    mount(
      this.bubbles,
      h(
        'div',
        { class: 'story-bubble mine', testid: 'my-stories', title: 'Your active stories' },
        h('span', { class: `ring${mine.length > 0 ? ' own' : ' none'}` }, avatar(app.me)),
        h(
          'span',
          { class: 'story-name' },
          mine.length === 0
            ? 'Your story'
            : `You · ${mine.length} · ${views} view${views === 1 ? '' : 's'}`,
        ),
      ),
      app.feed.map((group) => bubble(app, group)),
      hint === undefined ? null : h('span', { class: 'muted story-hint' }, hint),
    );
  }
}

function bubble(app: App, group: FeedGroup): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'story-bubble',
      testid: 'story-author',
      'data-author': group.authorId,
      'data-unseen': group.hasUnseen ? 'true' : 'false',
      onclick: () => app.openStories(group.authorId),
    },
    h('span', { class: `ring${group.hasUnseen ? ' unseen' : ''}` }, avatar(group.authorId)),
    h('span', { class: 'story-name' }, `${group.authorId} · ${group.stories.length}`),
  );
}

/** A modal showing one contact's stories, oldest first; opening marks them viewed. */
export class StoryViewer {
  readonly element = h('div', {
    class: 'modal',
    testid: 'story-viewer',
    hidden: true,
    role: 'dialog',
  });
  private authorId: string | undefined;
  private index = 0;

  constructor(private readonly app: App) {
    this.element.addEventListener('click', (event) => {
      if (event.target === this.element) this.close();
    });
  }

  open(authorId: string): void {
    this.authorId = authorId;
    const group = this.group();
    this.index = Math.max(0, group?.stories.findIndex((story) => !story.viewed) ?? 0);
    this.element.hidden = false;
    this.show();
  }

  /** The feed was reloaded: show the same author's stories as they are now. */
  refresh(): void {
    if (this.authorId !== undefined && !this.element.hidden) this.show(false);
  }

  private group(): FeedGroup | undefined {
    return this.app.feed.find((group) => group.authorId === this.authorId);
  }

  private close(): void {
    this.element.hidden = true;
    this.authorId = undefined;
    void this.app.loadStories();
  }

  private show(markViewed = true): void {
    const stories = this.group()?.stories ?? [];
    const story: Story | undefined = stories[Math.min(this.index, stories.length - 1)];
    if (story === undefined || this.authorId === undefined) {
      this.close();
      return;
    }
    if (markViewed) void this.app.markViewed(story.id);
    const authorId = this.authorId;
    const reply = h('input', {
      testid: 'story-reply-text',
      placeholder: `Reply to ${authorId}…`,
      required: true,
      maxlength: 4096,
    });
    const step = (delta: number) => {
      this.index = Math.min(stories.length - 1, Math.max(0, this.index + delta));
      this.show();
    };
    mount(
      this.element,
      h(
        'div',
        { class: 'story-card' },
        h(
          'div',
          { class: 'story-progress' },
          stories.map((_, index) => h('span', { class: index <= this.index ? 'done' : '' })),
        ),
        h(
          'header',
          { class: 'story-head' },
          avatar(authorId),
          h('strong', {}, authorId),
          h('span', { class: 'muted' }, timeOf(story.createdAt)),
          h(
            'button',
            {
              type: 'button',
              class: 'ghost close',
              'aria-label': 'Close',
              testid: 'story-close',
              onclick: () => this.close(),
            },
            '✕',
          ),
        ),
        h(
          'div',
          { class: 'story-body', testid: 'story-body' },
          story.text ??
            (story.media ? h('img', { src: story.media.url, alt: `Story by ${authorId}` }) : ''),
        ),
        h(
          'div',
          { class: 'story-nav' },
          h(
            'button',
            { type: 'button', class: 'ghost', disabled: this.index === 0, onclick: () => step(-1) },
            '‹ Previous',
          ),
          h('span', { class: 'muted' }, `${this.index + 1} / ${stories.length}`),
          h(
            'button',
            {
              type: 'button',
              class: 'ghost',
              disabled: this.index >= stories.length - 1,
              onclick: () => step(1),
            },
            'Next ›',
          ),
        ),
        h(
          'form',
          {
            class: 'inline-form',
            onsubmit: async (event: Event) => {
              event.preventDefault();
              if (await this.app.replyToStory(story.id, authorId, reply.value.trim()))
                reply.value = '';
            },
          },
          reply,
          h('button', { type: 'submit', class: 'primary' }, 'Reply'),
        ),
      ),
    );
  }
}
