// MessageBar.
#include "message_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolButton>

namespace stylize::ui {

MessageBar::MessageBar(QWidget* parent) : QFrame(parent)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    label_ = new QLabel(this);
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(label_, 1);
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Dismiss"));
    layout->addWidget(close);
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    hide();
}

QString MessageBar::text() const { return label_->text(); }

void MessageBar::showError(const QString& message) { showMessage(message, true); }

void MessageBar::showNotice(const QString& message) { showMessage(message, false); }

void MessageBar::showMessage(const QString& message, bool error)
{
    setStyleSheet(error ? "stylize--ui--MessageBar { background: #5c1f1f; color: white; border-radius: 4px; }"
                        : "stylize--ui--MessageBar { background: #1f3d5c; color: white; border-radius: 4px; }");
    label_->setStyleSheet("color: white;");
    label_->setText(message);
    show();
    if (!error)  // notices go away by themselves; errors stay until read
        QTimer::singleShot(8000, this, [this, message] {
            if (label_->text() == message)
                hide();
        });
}

}  // namespace stylize::ui
